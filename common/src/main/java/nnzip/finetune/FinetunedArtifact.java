package nnzip.finetune;

import nnzip.Digests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactCodes;
import nnzip.artifact.ArtifactWriter;
import nnzip.artifact.Chunk;
import nnzip.artifact.EntryData;
import nnzip.artifact.Manifest;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.codec.BitPacking;
import nnzip.stats.ErrorStats;
import nnzip.stats.Moments;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.train.ParameterValues;
import nnzip.train.WeightBinding;
import nnzip.train.WeightPlan;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the finetuned model as a new artifact with the old one's codes: trained dp levels
 * (re-sorted per channel with the codes renumbered, since the dp format keeps levels ascending),
 * trained uniform minimum and step per group, trained aq codebooks (rounded to F16 where the
 * artifact stores them so) with their codes as finetuning left them (re-encoded or not), trained
 * passthrough tensors, the {@link CompressedModel#recoded} tensors coded again from their trained
 * values; every other entry is copied. Each coded tensor's error fields are recomputed against
 * the original weights, so the manifest tells how far finetuning moved the decoded model.
 */
public final class FinetunedArtifact {
  private FinetunedArtifact() {}

  /**
   * Writes {@code file} from {@code old} and the trained values.
   *
   * @param model what {@link CompressedModel#of} made of {@code old}
   * @param trained trained parameter values (binding parameters and passthrough tensors by key)
   * @param original the original FLOAT weights by tensor name, for the error fields
   * @param recipe recipe text stored in the new artifact
   * @param source the model the user gave (the staging artifact was coded from a temporary copy when
   *     pruning, DP-Net or quantization-aware training trained it first)
   */
  public static void write(Artifact old, CompressedModel model, ParameterValues trained, Map<String, float[]> original,
      FileSystem fs, Path file, String recipe, String source) throws IOException {
    Map<String, EntryData> data = new HashMap<>();
    Map<String, float[]> newParams = new HashMap<>();
    Map<String, int[]> perm = new HashMap<>();
    // Sort each dp level table; remember how codes are renumbered.
    for (WeightBinding b : model.plan().coded().values()) {
      if (b instanceof WeightBinding.Dp dp && !perm.containsKey(dp.parameter())) {
        int k = levelCount(old, dp.parameter());
        float[] levels = trained.get(dp.parameter()).clone();
        perm.put(dp.parameter(), sortPerChannel(levels, k));
        newParams.put(dp.parameter(), levels);
      } else if (b instanceof WeightBinding.Aq aq) {
        // The codebooks only; the codes that follow them are written per tensor.
        newParams.putIfAbsent(aq.parameter(), Arrays.copyOf(trained.get(aq.parameter()), aq.codebookValues()));
      }
    }
    List<StoredEntry> shared = new ArrayList<>();
    for (StoredEntry e : old.manifest().shared()) {
      shared.add(rewriteParam(old, e, sharedParam(model, e), newParams, data));
    }
    List<TensorRecord> records = new ArrayList<>();
    for (TensorRecord t : old.manifest().tensors()) {
      records.add(rewrite(old, model, t, trained, newParams, perm, original, data));
    }
    Manifest m = old.manifest();
    Manifest next = new Manifest(m.formatVersion(), m.sourceFormat(), m.sourceMetadata(), m.graphKey(), records, shared);
    ArtifactWriter.rewrite(old, fs, file, next, recipe, source, data);
  }

  private static TensorRecord rewrite(Artifact old, CompressedModel model, TensorRecord t, ParameterValues trained,
      Map<String, float[]> newParams, Map<String, int[]> perm, Map<String, float[]> original,
      Map<String, EntryData> data) throws IOException {
    String name = t.spec().name();
    if (t.isPassthrough()) {
      if (!trained.names().contains(name) || t.spec().dtype() != DType.F32) {
        return t;
      }
      byte[] bytes = ArtifactWriter.floatBytes(trained.get(name));
      Chunk c = chunk(bytes);
      List<StoredEntry> entries = new ArrayList<>();
      for (StoredEntry e : t.entries()) {
        entries.add(e.role().equals(StoredEntry.DATA) ? new StoredEntry(e.key(), e.role(), List.of(c)) : e);
        data.put(e.key(), new EntryData.InMemory(bytes));
      }
      return new TensorRecord(t.spec(), t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(), List.of(c),
          0, 0, entries);
    }
    WeightBinding b = model.plan().coded().get(name);
    boolean recode = model.recoded().contains(name) && trained.names().contains(name);
    if (b == null && !recode) {
      return t;
    }
    List<StoredEntry> entries = new ArrayList<>();
    float[] decoded;
    if (recode) {
      decoded = recodeUniform(t, trained.get(name), entries, data);
    } else if (b instanceof WeightBinding.Dp dp) {
      int[] p = perm.get(dp.parameter());
      float[] levels = newParams.get(dp.parameter());
      int k = 1 << t.bits();
      int[] codes = new int[dp.index().length];
      decoded = new float[codes.length];
      for (int i = 0; i < codes.length; i++) {
        int slot = p[dp.index()[i]];
        decoded[i] = levels[slot];
        codes[i] = slot % k;
      }
      for (StoredEntry e : t.entries()) {
        if (e.isCodes()) {
          // Renumbered codes are written bit-packed; the entropy pass codes them if the recipe asks.
          entries.add(packedCodes(e, codes, t.bits(), data));
        } else {
          entries.add(rewriteParam(old, e, dp.parameter(), newParams, data));
        }
      }
    } else if (b instanceof WeightBinding.Uniform u) {
      float[] minAndStep = trained.get(u.parameter()).clone();
      int channels = minAndStep.length / 2;
      for (StoredEntry e : t.entries()) {
        String param = e.parameterName();
        boolean min = nnzip.codec.uniform.UniformCodec.MIN.equals(param);
        if (min || nnzip.codec.uniform.UniformCodec.STEP.equals(param)) {
          float[] v = Arrays.copyOfRange(minAndStep, min ? 0 : channels, min ? channels : 2 * channels);
          entries.add(paramEntry(e, v, data));
          System.arraycopy(v, 0, minAndStep, min ? 0 : channels, channels); // as stored (F16 rounds)
        } else {
          entries.add(e);
        }
      }
      decoded = u.decode(minAndStep);
    } else {
      WeightBinding.Aq aq = (WeightBinding.Aq) b;
      float[] param = trained.get(aq.parameter()).clone();
      int[] codes = aq.codes(param);
      for (StoredEntry e : t.entries()) {
        if (e.isCodes()) {
          // The codes may have been re-encoded during finetuning (AqReencoder): always written anew.
          entries.add(packedCodes(e, codes, t.bits(), data));
        } else {
          entries.add(nnzip.codec.aq.AqTensorCoder.CODEWORDS.equals(e.parameterName())
              ? rewriteParam(old, e, aq.parameter(), newParams, data) : e);
        }
      }
      // Decoded from the codebooks as stored (F16 rounds them).
      float[] stored = newParams.get(aq.parameter());
      System.arraycopy(stored, 0, param, 0, stored.length);
      decoded = aq.decode(param);
    }
    float[] ref = original.get(name);
    double rel = t.relativeMse();
    double max = t.maxAbsError();
    if (ref != null && ref.length == decoded.length) {
      ErrorStats err = ErrorStats.of(ref, decoded, ref.length);
      Moments mo = new Moments();
      mo.add(ref, ref.length, 0);
      rel = err.relativeMse(mo.variance());
      max = err.maxAbsError();
    }
    return new TensorRecord(t.spec(), t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(), t.original(),
        rel, max, entries);
  }

  /**
   * Codes a {@link CompressedModel#recoded} tensor's trained values again with its uniform codec and
   * grouping, as the compressor did (parameters F16 where the codec's rule allows, else F32), adding
   * its new entries to {@code entries}.
   *
   * @return the values as decoded from the new entries
   */
  private static float[] recodeUniform(TensorRecord t, float[] values, List<StoredEntry> entries,
      Map<String, EntryData> data) {
    nnzip.codec.uniform.UniformCodec codec = new nnzip.codec.uniform.UniformCodec(t.bits());
    nnzip.codec.TensorLayout layout = Artifact.layoutOf(t);
    nnzip.codec.ScalarCodec.Summary summary = codec.newSummary(layout);
    summary.add(values, values.length, 0);
    nnzip.codec.ScalarCodec.Quantizer exact = codec.fit(summary);
    nnzip.codec.ScalarCodec.Quantizer half = codec.toHalf(exact);
    nnzip.codec.ScalarCodec.Quantizer q = half != null ? half : exact;
    int[] codes = new int[values.length];
    q.encode(values, values.length, 0, codes);
    Map<String, float[]> params = q.parameters();
    for (StoredEntry e : t.entries()) {
      if (e.isCodes()) {
        entries.add(packedCodes(e, codes, t.bits(), data));
      } else if (e.parameterName() != null && params.containsKey(e.parameterName())) {
        String role = (half != null ? StoredEntry.HALF_PARAM_PREFIX : StoredEntry.PARAM_PREFIX) + e.parameterName();
        entries.add(paramEntry(new StoredEntry(e.key(), role, e.chunks()), params.get(e.parameterName()), data));
      } else {
        entries.add(e);
      }
    }
    float[] decoded = new float[values.length];
    q.decode(codes, codes.length, 0, decoded);
    return decoded;
  }

  /** {@code codes} bit-packed as the new bytes of codes entry {@code e} (added to {@code data}). */
  private static StoredEntry packedCodes(StoredEntry e, int[] codes, int bits, Map<String, EntryData> data) {
    byte[] packed = new byte[(int) BitPacking.packedBytes(codes.length, bits)];
    BitPacking.pack(codes, codes.length, bits, packed, 0);
    data.put(e.key(), new EntryData.InMemory(packed));
    return new StoredEntry(e.key(), StoredEntry.CODES, List.of(chunk(packed)));
  }

  private static StoredEntry rewriteParam(Artifact old, StoredEntry e, String param, Map<String, float[]> newParams,
      Map<String, EntryData> data) {
    float[] v = param == null ? null : newParams.get(param);
    if (v == null || e.parameterName() == null
        || !(e.parameterName().equals("codewords") || e.parameterName().equals("levels"))) {
      return e;
    }
    return paramEntry(e, v, data);
  }

  /** Parameter entry {@code e} with the values {@code v} (rounded to F16 when stored so). */
  private static StoredEntry paramEntry(StoredEntry e, float[] v, Map<String, EntryData> data) {
    if (e.isHalfParameter()) {
      FloatCodec.roundTo(DType.F16, v, v.length);
    }
    byte[] bytes = e.isHalfParameter() ? ArtifactWriter.halfBytes(v) : ArtifactWriter.floatBytes(v);
    data.put(e.key(), new EntryData.InMemory(bytes));
    return new StoredEntry(e.key(), e.role(), List.of(chunk(bytes)));
  }

  private static String sharedParam(CompressedModel model, StoredEntry e) {
    if ("codewords".equals(e.parameterName())) {
      return CompressedModel.CODEBOOKS;
    }
    return "levels".equals(e.parameterName()) ? CompressedModel.LEVELS : null;
  }

  private static int levelCount(Artifact old, String param) {
    String tensor = param.equals(CompressedModel.LEVELS) ? null : param.substring(CompressedModel.LEVELS.length() + 1);
    for (TensorRecord t : old.manifest().tensors()) {
      if (t.codec() == nnzip.codec.CodecKind.DP && (tensor == null ? Manifest.GLOBAL_SCOPE.equals(t.scope()) : t.spec().name().equals(tensor))) {
        return 1 << t.bits();
      }
    }
    throw new IllegalStateException("no dp tensor for parameter " + param);
  }

  /**
   * Sorts each channel's k levels ascending in place.
   *
   * @return for each old flat slot, its new flat slot
   */
  static int[] sortPerChannel(float[] levels, int k) {
    int[] moved = new int[levels.length];
    for (int c = 0; c < levels.length / k; c++) {
      Integer[] order = new Integer[k];
      for (int j = 0; j < k; j++) {
        order[j] = j;
      }
      int base = c * k;
      Arrays.sort(order, (x, y) -> Float.compare(levels[base + x], levels[base + y]));
      float[] sorted = new float[k];
      for (int j = 0; j < k; j++) {
        sorted[j] = levels[base + order[j]];
        moved[base + order[j]] = base + j;
      }
      System.arraycopy(sorted, 0, levels, base, k);
    }
    return moved;
  }

  private static Chunk chunk(byte[] bytes) {
    return new Chunk(bytes.length, Digests.hex(Digests.sha256().digest(bytes)));
  }
}
