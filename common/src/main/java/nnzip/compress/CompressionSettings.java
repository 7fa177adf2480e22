package nnzip.compress;

import java.util.List;
import java.util.regex.Pattern;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.io.StoredTensor;
import nnzip.tensor.TensorSpec;

/**
 * A resolved compression recipe as typed values. Defaults live in {@code conf/reference.conf};
 * this record only validates.
 *
 * @param codec codec for compressible tensors
 * @param bits bits per code index, 1..16
 * @param scope parameter sharing of scalar codecs: {@code AUTO} (the default: chosen per tensor),
 *     {@code CHANNEL}, {@code TENSOR} or {@code GLOBAL}; {@code BLOCK} is only ever chosen by auto
 * @param passthroughPatterns tensors whose name matches any of these stay as they are
 * @param passthroughMinElements tensors with fewer elements stay as they are (≥ 0)
 * @param passthroughMaxRank tensors of this rank or lower (biases, norm scales) stay as they are
 * @param nonFinite what happens to a tensor holding NaN/Inf (recipe {@code allow-non-finite})
 * @param shardBytes upper bound of source bytes one task encodes (≥ 64)
 * @param partitions Spark partitions for the encode pass; 0 means the default parallelism
 * @param seed seed for every random choice (none yet for uniform, kept for reproducible recipes)
 * @param dpBins bins the dp codec's DP runs on for tensor and global scope (2..65,536)
 * @param codeStreams how code streams are stored (recipe {@code entropy = none | cabac})
 * @param passthroughDpBits code the floating tensors the passthrough rules keep with dp at this many
 *     bits per tensor instead (0 = keep them as they are), where that is smaller (recipe {@code
 *     passthrough.dp-bits}); only with a scalar codec
 * @param passthroughUniformBits code the floating tensors the passthrough rules keep, where dp at
 *     {@code passthroughDpBits} does not pay for its levels, with uniform min–max at this many bits per
 *     tensor instead (two F16 parameters), where that is smaller (recipe {@code passthrough.uniform-bits};
 *     0 = keep them); only with a scalar codec
 * @param aq the aq codec's settings; required when {@code codec} is aq, else unused (may be null)
 * @param normStatistics how BatchNormalization running statistics are stored
 * @param tensorCodecs with a scalar {@code codec}: the scalar codec (and optionally the scope) of the coded
 *     tensors whose name matches a rule, the first matching rule's (not a recipe key: a command that
 *     writes tensors of its own sets it, as {@code train --subspace} does for a line's endpoint
 *     difference); empty by default
 */
public record CompressionSettings(
    CodecKind codec,
    int bits,
    Scope scope,
    List<Pattern> passthroughPatterns,
    long passthroughMinElements,
    int passthroughMaxRank,
    NonFinite nonFinite,
    long shardBytes,
    int partitions,
    long seed,
    int dpBins,
    CodeStreams codeStreams,
    int passthroughDpBits,
    int passthroughUniformBits,
    nnzip.compress.aq.AqSettings aq,
    NormStatistics normStatistics,
    List<TensorCodec> tensorCodecs) implements java.io.Serializable {

  /**
   * The scalar codec, and optionally the scope, of the coded tensors whose whole name matches
   * {@code pattern}.
   *
   * @param codec a scalar codec (uniform or dp, at its own bits)
   * @param scope the scope of these tensors, or null for the recipe's; not {@code BLOCK}
   */
  public record TensorCodec(Pattern pattern, ScalarCodec codec, Scope scope) implements java.io.Serializable {
    public TensorCodec {
      java.util.Objects.requireNonNull(pattern, "pattern");
      java.util.Objects.requireNonNull(codec, "codec");
      if (scope == Scope.BLOCK) {
        throw new IllegalArgumentException("scope block is only chosen by scope auto");
      }
    }
  }

  /** How a BatchNormalization's running mean and variance are stored (recipe {@code passthrough.norm-statistics}). */
  public enum NormStatistics {
    /** IEEE binary16 each ({@link nnzip.codec.half.HalfCodec}), where every value fits F16's range. */
    HALF,
    /** As they are. */
    KEEP,
    /** As any other tensor the passthrough rules keep (passthrough.dp-bits / uniform-bits). */
    CODE
  }

  /** What happens to a tensor holding NaN or Inf. */
  public enum NonFinite {
    /** An error naming the tensor (recipe {@code allow-non-finite = false}). */
    REJECT,
    /** The tensor is kept as it is (recipe {@code allow-non-finite = true}). */
    KEEP
  }

  /** How the code streams are stored. */
  public enum CodeStreams {
    /** Bit-packed at the code width (recipe {@code entropy = none}). */
    PACKED,
    /** Arithmetic-coded after encoding (recipe {@code entropy = cabac}). */
    CABAC
  }

  public CompressionSettings {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("bits must be in 1..16, got " + bits);
    }
    if (scope == Scope.BLOCK) {
      throw new IllegalArgumentException("scope block is chosen per tensor by scope auto; a recipe may name auto,"
          + " channel, tensor or global");
    }
    if (passthroughMinElements < 0) {
      throw new IllegalArgumentException("passthrough.min-elements must be ≥ 0, got " + passthroughMinElements);
    }
    if (shardBytes < 64) {
      throw new IllegalArgumentException("shard-bytes must be ≥ 64, got " + shardBytes);
    }
    if (partitions < 0) {
      throw new IllegalArgumentException("partitions must be ≥ 0, got " + partitions);
    }
    if (passthroughDpBits < 0 || passthroughDpBits > 16) {
      throw new IllegalArgumentException("passthrough.dp-bits must be in 0..16, got " + passthroughDpBits);
    }
    if (passthroughUniformBits < 0 || passthroughUniformBits > 16) {
      throw new IllegalArgumentException("passthrough.uniform-bits must be in 0..16, got " + passthroughUniformBits);
    }
    if (dpBins < 2 || dpBins > nnzip.codec.dp.DpCodec.DEFAULT_BINS) {
      throw new IllegalArgumentException("dp.bins must be in 2..65536, got " + dpBins);
    }
    java.util.Objects.requireNonNull(normStatistics, "normStatistics");
    if (codec == CodecKind.AQ && aq == null) {
      throw new IllegalArgumentException("codec aq needs its aq settings");
    }
    passthroughPatterns = List.copyOf(passthroughPatterns);
    tensorCodecs = List.copyOf(tensorCodecs);
  }

  /** These settings with the code streams stored another way. */
  public CompressionSettings withCodeStreams(CodeStreams streams) {
    return new CompressionSettings(codec, bits, scope, passthroughPatterns, passthroughMinElements, passthroughMaxRank,
        nonFinite, shardBytes, partitions, seed, dpBins, streams, passthroughDpBits, passthroughUniformBits, aq,
        normStatistics, tensorCodecs);
  }

  /** These settings with one more {@link TensorCodec} rule, after the present ones. */
  public CompressionSettings withTensorCodec(TensorCodec rule) {
    List<TensorCodec> rules = new java.util.ArrayList<>(this.tensorCodecs);
    rules.add(rule);
    return new CompressionSettings(codec, bits, scope, passthroughPatterns, passthroughMinElements, passthroughMaxRank,
        nonFinite, shardBytes, partitions, seed, dpBins, codeStreams, passthroughDpBits, passthroughUniformBits, aq,
        normStatistics, rules);
  }

  /** The first {@link TensorCodec} rule matching a tensor's name, or null. */
  private TensorCodec ruleOf(String tensorName) {
    return tensorCodecs.stream().filter(r -> r.pattern().matcher(tensorName).matches()).findFirst().orElse(null);
  }

  /** The codec instance (null for passthrough). */
  public ScalarCodec scalarCodec() {
    return codec == CodecKind.DP ? new nnzip.codec.dp.DpCodec(bits, dpBins) : codec.create(bits);
  }

  /** Shard alignment in elements: 8 groups of the codec (aq's subvectors of d, else single elements). */
  public int shardAlignment() {
    return ShardEncoder.alignment(codec == CodecKind.AQ ? aq.params().dim() : 1);
  }

  /** One line on what the tasks will do, for progress. */
  public String describe(List<TensorTask> tasks) {
    long coded = tasks.stream().filter(t -> !t.isPassthrough()).count();
    if (codec == CodecKind.AQ) {
      nnzip.codec.aq.AqParams p = aq.params();
      return String.format("%d tensors, %d coded by aq (d=%d, M=%d, %d-bit codebooks, %.3f bits/weight, %s)",
          tasks.size(), coded, p.dim(), p.codebooks(), p.codebookBits(), p.bitsPerWeight(),
          aq.scope() == Scope.GLOBAL ? "codebooks shared by all tensors" : "codebooks per tensor");
    }
    long small = tasks.stream().filter(t -> !t.isPassthrough() && keepsAsIs(t.source().spec())).count();
    long other = tasks.stream().filter(t -> !t.isPassthrough() && !keepsAsIs(t.source().spec())
        && t.codec() != null && !t.codec().equals(scalarCodec())).count();
    return String.format("%d tensors (%d to code with %s %d-bit%s, %s%d kept as they are)", tasks.size(),
        coded - small, codec.label(), bits, other == 0 ? "" : ", " + other + " of them with codecs of their own",
        small == 0 ? "" : small + " small ones coded per tensor (passthrough.dp-bits / uniform-bits), ",
        tasks.size() - coded);
  }

  /** Whether the recipe keeps this tensor as it is. */
  public boolean keepsAsIs(TensorSpec spec) {
    if (!spec.dtype().isFloating() || codec == CodecKind.PASSTHROUGH) {
      return true;
    }
    if (spec.shape().length <= passthroughMaxRank || spec.numElements() < passthroughMinElements) {
      return true;
    }
    return passthroughPatterns.stream().anyMatch(p -> p.matcher(spec.name()).matches());
  }

  /** The task for the {@code index}-th source tensor, output channels along the first axis. */
  public TensorTask taskFor(int index, StoredTensor tensor) {
    return taskFor(index, tensor, 0);
  }

  /** The task for the {@code index}-th source tensor with output channels along {@code channelAxis}. */
  public TensorTask taskFor(int index, StoredTensor tensor, int channelAxis) {
    return taskFor(index, tensor, channelAxis, nnzip.io.WeightRole.WEIGHT);
  }

  /**
   * The task for the {@code index}-th source tensor with output channels along {@code channelAxis};
   * {@code role} says what it is to its consumers.
   */
  public TensorTask taskFor(int index, StoredTensor tensor, int channelAxis, nnzip.io.WeightRole role) {
    int rank = tensor.spec().shape().length;
    int axis = channelAxis < rank ? channelAxis : 0;
    if (!keepsAsIs(tensor.spec()) && codec == CodecKind.AQ) {
      return new TensorTask(index, tensor, CodecKind.AQ, null, Scope.TENSOR, axis);
    }
    if (!keepsAsIs(tensor.spec())) {
      // Auto keeps the tensor's values on the executor that fits it: only for tensors of one shard;
      // larger ones have enough elements per channel that channel scope's side information is small.
      Scope s = scope == Scope.AUTO && tensor.spec().byteSize() > shardBytes ? Scope.CHANNEL : scope;
      TensorCodec rule = ruleOf(tensor.spec().name());
      if (rule == null) {
        return new TensorTask(index, tensor, scalarCodec(), s, axis);
      }
      if (rule.scope() != null) {
        s = rule.scope();
      } else if (s == Scope.GLOBAL) {
        // The global codebook is the recipe codec's: a tensor with a codec of its own is fitted per channel.
        s = Scope.CHANNEL;
      }
      return new TensorTask(index, tensor, rule.codec(), s, axis);
    }
    return new TensorTask(index, tensor, keptTensorCodec(tensor.spec(), role), Scope.TENSOR, axis);
  }

  /** As {@link #keptTensorCodec(TensorSpec, nnzip.io.WeightRole)} for a plain weight. */
  ScalarCodec keptTensorCodec(TensorSpec spec) {
    return keptTensorCodec(spec, nnzip.io.WeightRole.WEIGHT);
  }

  /**
   * The codec for a tensor the passthrough rules keep (null: kept as it is), per tensor. A constant
   * an operator needs exactly ({@link nnzip.io.WeightRole#EXACT}) stays as it is. A
   * BatchNormalization running statistic follows {@link #normStatistics}: F16 for F32/F64 sources
   * under {@code HALF}. Any other floating tensor: dp at {@link #passthroughDpBits} (levels counted
   * as F32, though they may end up F16) or uniform at {@link #passthroughUniformBits} (min and step
   * counted as F32), whichever is set and takes fewer bytes than the tensor, dp only where its levels
   * cost at most 0.25 bit per weight more than uniform's two parameters (scope auto's budget for side
   * information). Measured on the PaddleOCR mobile classifier, whose 210 BatchNorm, bias and small
   * Conv tensors are too small for 256 dp levels each: kept as they are they were a quarter of the
   * 8-bit artifact; with dp wherever it was smaller, 12 tensors of a few hundred weights spent 1 KB
   * each on levels.
   */
  ScalarCodec keptTensorCodec(TensorSpec spec, nnzip.io.WeightRole role) {
    if (codec == CodecKind.PASSTHROUGH || codec == CodecKind.AQ || !spec.dtype().isFloating()
        || role == nnzip.io.WeightRole.EXACT) {
      return null;
    }
    if (role == nnzip.io.WeightRole.NORM_STATISTIC && normStatistics != NormStatistics.CODE) {
      boolean wide = spec.dtype() == nnzip.tensor.DType.F32 || spec.dtype() == nnzip.tensor.DType.F64;
      return normStatistics == NormStatistics.HALF && wide ? new nnzip.codec.half.HalfCodec() : null;
    }
    long n = spec.numElements();
    long dp = passthroughDpBits == 0 ? Long.MAX_VALUE
        : 4L * (1L << passthroughDpBits) + SideInformation.codeBytes(n, passthroughDpBits);
    long uniform = passthroughUniformBits == 0 ? Long.MAX_VALUE
        : 8L + SideInformation.codeBytes(n, passthroughUniformBits);
    if (dp < spec.byteSize() && (uniform >= spec.byteSize() || 32 * (dp - uniform) <= n)) {
      return new nnzip.codec.dp.DpCodec(passthroughDpBits, dpBins);
    }
    if (uniform < spec.byteSize()) {
      return new nnzip.codec.uniform.UniformCodec(passthroughUniformBits);
    }
    return null;
  }
}
