package nnzip.compress;

import java.util.ArrayList;
import java.util.List;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;

/**
 * {@code scope = auto} for one tensor: fits the codec under every candidate grouping (the whole
 * tensor, each output channel, blocks of 2, 4, 8, … consecutive channels that tile the channel
 * axis), each with its side information at the precision the codec allows, measures each one's
 * squared error on the tensor's values, and among those whose total bytes (codes and parameters)
 * stay within tensor scope's plus {@link #SLACK_BITS} bit per weight keeps the best rate–distortion
 * trade: the lowest {@link #cost}, the squared error times 4 to the power of the extra bits per weight.
 * At high rate one more bit per weight spent on codes divides a scalar quantizer's squared error by 4
 * (6.02 dB per bit), so a finer grouping is kept only where its side information lowers the error more
 * than spending those bytes on code precision would: measured on the transformer fixture at dp 4-bit,
 * blocks lowered the error of its MatMul weights by 4-13% for 0.16-0.21 bit/weight, which would have
 * bought 20-26%, while on folded-BatchNorm convolutions channels lower it severalfold.
 */
public final class ScopeSearch {
  /** Bits per weight a grouping may spend beyond tensor scope. */
  public static final double SLACK_BITS = 0.25;

  private static final int CHUNK = 1 << 16;

  private ScopeSearch() {}

  /**
   * One grouping tried.
   *
   * @param scope {@code TENSOR}, {@code CHANNEL} or {@code BLOCK}
   * @param layout the groups
   * @param quantizer fitted, parameters rounded as they will be stored
   * @param bytes codes plus parameters, as stored
   * @param sse squared error over the tensor, after rounding to its dtype as the restorer does
   */
  public record Candidate(Scope scope, TensorLayout layout, ScalarCodec.Quantizer quantizer, long bytes, double sse) {}

  /** The groupings worth trying on a tensor: tensor first, then blocks from large to small, then channels. */
  public static List<Candidate> layouts(TensorSpec spec, int channelAxis) {
    List<Candidate> out = new ArrayList<>();
    out.add(new Candidate(Scope.TENSOR, TensorLayout.whole(spec.numElements()), null, 0, 0));
    long[] shape = spec.shape();
    if (shape.length < 2 || spec.numElements() == 0 || shape[channelAxis] <= 1) {
      return out;
    }
    long c = shape[channelAxis];
    List<Candidate> blocks = new ArrayList<>();
    for (long b = 2; b < c && c % b == 0; b *= 2) {
      blocks.add(0, new Candidate(Scope.BLOCK, TensorLayout.blocksAlongAxis(spec, channelAxis, b), null, 0, 0));
    }
    out.addAll(blocks);
    out.add(new Candidate(Scope.CHANNEL, TensorLayout.alongAxis(spec, channelAxis), null, 0, 0));
    return out;
  }

  /**
   * Every candidate within the byte budget, fitted and measured, tensor scope first.
   *
   * @param values the tensor's finite values
   */
  static List<Candidate> evaluate(ScalarCodec codec, TensorSpec spec, int channelAxis, TensorValues values) {
    long n = spec.numElements();
    List<Candidate> fitted = new ArrayList<>();
    double budget = Double.NaN;
    for (Candidate c : layouts(spec, channelAxis)) {
      long least = SideInformation.codeBytes(n, codec.bits()) + SideInformation.leastParameterBytes(codec, c.layout());
      if (!Double.isNaN(budget) && least > budget) {
        continue; // over budget even with F16 parameters: not worth fitting
      }
      Candidate f = fit(codec, spec, c.scope(), c.layout(), values);
      if (Double.isNaN(budget)) {
        budget = f.bytes() + SLACK_BITS * n / 8;
      }
      if (f.bytes() <= budget) {
        fitted.add(f);
      }
    }
    return fitted;
  }

  /** The candidate of lowest {@link #cost} within budget (ties: fewer bytes, then the coarser grouping). */
  public static Candidate choose(ScalarCodec codec, TensorSpec spec, int channelAxis, TensorValues values) {
    List<Candidate> fitted = evaluate(codec, spec, channelAxis, values);
    long n = spec.numElements();
    long base = fitted.get(0).bytes();
    Candidate best = null;
    double bestCost = Double.NaN;
    for (Candidate c : fitted) {
      double cost = cost(c.sse(), c.bytes() - base, n);
      if (best == null || cost < bestCost || (cost == bestCost && c.bytes() < best.bytes())) {
        best = c;
        bestCost = cost;
      }
    }
    return best;
  }

  /**
   * Squared error at equal rate: {@code sse × 4^(8 · extraBytes / n)}, what the error would be had the
   * grouping's extra bytes over tensor scope gone into code bits instead (each bit per weight divides
   * it by 4).
   */
  public static double cost(double sse, long extraBytes, long n) {
    return n == 0 ? sse : sse * Math.pow(4, 8.0 * extraBytes / n);
  }

  /** Fits the codec under one layout, rounds its parameters as stored, and measures it. */
  static Candidate fit(ScalarCodec codec, TensorSpec spec, Scope scope, TensorLayout layout, TensorValues values) {
    ScalarCodec.Summary summary = codec.newSummary(layout, spec.dtype());
    List<TensorValues.Piece> pieces = values.pieces();
    for (TensorValues.Piece p : pieces) {
      summary.add(p.values(), p.values().length, p.first());
    }
    ScalarCodec.Quantizer q = SideInformation.storable(codec, codec.fit(summary));
    return new Candidate(scope, layout, q, SideInformation.totalBytes(q, spec.numElements()),
        squaredError(q, spec.dtype(), pieces));
  }

  /** Σ (x − decode(encode(x)))² with decoded values rounded to the tensor's dtype, as the restorer writes them. */
  static double squaredError(ScalarCodec.Quantizer q, DType dtype, List<TensorValues.Piece> pieces) {
    int[] codes = new int[CHUNK];
    float[] decoded = new float[CHUNK];
    float[] in = new float[CHUNK];
    double sse = 0;
    for (TensorValues.Piece p : pieces) {
      float[] v = p.values();
      for (int off = 0; off < v.length; off += CHUNK) {
        int len = Math.min(CHUNK, v.length - off);
        System.arraycopy(v, off, in, 0, len);
        q.encode(in, len, p.first() + off, codes);
        q.decode(codes, len, p.first() + off, decoded);
        FloatCodec.roundTo(dtype, decoded, len);
        for (int i = 0; i < len; i++) {
          double d = (double) in[i] - decoded[i];
          sse += d * d;
        }
      }
    }
    return sse;
  }
}
