package nnzip.subspace;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.codec.uniform.UniformCodec;
import nnzip.io.onnx.OnnxProto;
import nnzip.prune.ChannelGroups;
import nnzip.prune.GateTargets;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;

/**
 * What a point α does to one weight of the line: nothing (biases, and tensors outside every
 * prunable channel group), keep its largest magnitudes (its own share, or its count in the model's
 * one ranking, {@link GlobalMagnitude}), zero its channels past the kept width, or quantize it with
 * nnzip's uniform codec per output channel. Training and the dialer call the same
 * {@link #apply}, so the trained point and the dialed point are the same numbers.
 *
 * @param mode what is done
 * @param axis the channel axis (CHANNELS: the group's axis in this tensor; BITS: the quantizer's groups)
 */
public record PointCompression(Mode mode, int axis) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The things a point does to a weight. GLOBAL_MAGNITUDE keeps the weight's elements among the
   * model's largest magnitudes: its count comes from all such weights together ({@link GlobalMagnitude}),
   * so {@link #apply} cannot compute it from the weight alone; {@link #keepLargest} applies it.
   */
  public enum Mode {
    NONE, MAGNITUDE, CHANNELS, BITS, GLOBAL_MAGNITUDE
  }

  public static final PointCompression NONE = new PointCompression(Mode.NONE, 0);

  /** Checks the axis. */
  public PointCompression {
    java.util.Objects.requireNonNull(mode, "mode");
    if (axis < 0) {
      throw new IllegalArgumentException("axis must be ≥ 0, got " + axis);
    }
  }

  /**
   * What a point does to each weight of a model, by weight key (weights not named do nothing).
   *
   * @param model the graph (structured: its channel groups decide which tensors narrow)
   * @param shapes the trainable weights' shapes by key
   * @throws InvalidInputException if a BatchNormalization's running statistics are not initializers
   *     of the graph (the line keeps them per point, see {@link NormLine}), or structured finds no
   *     prunable channel group
   */
  public static Map<String, PointCompression> of(OnnxProto.Model model, Map<String, long[]> shapes,
      SubspaceKind kind) {
    return of(model, shapes, kind, MagnitudeScope.LAYER);
  }

  /**
   * What a point does to each weight of a model, unstructured magnitudes ranked over {@code scope}.
   *
   * @throws InvalidInputException as {@link #of(OnnxProto.Model, Map, SubspaceKind)}
   */
  public static Map<String, PointCompression> of(OnnxProto.Model model, Map<String, long[]> shapes,
      SubspaceKind kind, MagnitudeScope scope) {
    Mode magnitude = scope == MagnitudeScope.GLOBAL ? Mode.GLOBAL_MAGNITUDE : Mode.MAGNITUDE;
    java.util.Set<String> initializers = new java.util.HashSet<>();
    model.getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
    for (OnnxProto.Node n : model.getGraph().getNodeList()) {
      if (n.getOpType().equals("BatchNormalization") && (n.getInputCount() < 5
          || !initializers.contains(n.getInput(3)) || !initializers.contains(n.getInput(4)))) {
        throw new InvalidInputException("compressible subspaces support BatchNormalization only with its running mean"
            + " and variance stored as initializers (the line keeps them per point), not at node '"
            + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "'");
      }
    }
    Map<String, PointCompression> out = new LinkedHashMap<>();
    switch (kind) {
      case UNSTRUCTURED, BITS -> shapes.forEach((k, s) -> {
        if (s.length >= 2) {
          out.put(k, new PointCompression(kind == SubspaceKind.BITS ? Mode.BITS : magnitude, 0));
        }
      });
      case STRUCTURED -> GateTargets.of(ChannelGroups.of(model), shapes).values()
          .forEach(targets -> targets.forEach((k, axis) -> out.put(k, new PointCompression(Mode.CHANNELS, axis))));
    }
    return out;
  }

  /**
   * The compressed weight at α.
   *
   * @param w the line's weight at α (row-major, length = product of shape); not changed
   * @param lowest the kept fraction of unstructured sparsity at α = 0 (annealed in warm-up)
   * @param kept if not null (length w.length), set to whether each element passes the point
   *     unchanged by a mask: the gradient flows to those only (BITS: all, straight through)
   * @return a new array
   * @throws IllegalStateException for GLOBAL_MAGNITUDE (its count is the model's: {@link #keepLargest})
   */
  public float[] apply(float[] w, long[] shape, double alpha, double lowest, boolean[] kept) {
    float[] out = w.clone();
    if (kept != null) {
      Arrays.fill(kept, true);
    }
    switch (mode) {
      case NONE -> { }
      case MAGNITUDE -> magnitude(out, SubspaceKind.keptElements(SubspaceKind.keepFraction(alpha, lowest), w.length),
          kept);
      case CHANNELS -> channels(out, shape, SubspaceKind.keptChannels(alpha, (int) shape[axis]), kept);
      case BITS -> out = quantize(w, shape, axis, new UniformCodec(SubspaceKind.bits(alpha)));
      case GLOBAL_MAGNITUDE -> throw new IllegalStateException("a global magnitude point keeps the count the"
          + " model's ranking gives it (GlobalMagnitude.keptCounts, then keepLargest)");
    }
    return out;
  }

  /**
   * The weight with all but its k largest |w| zeroed, ties to the lower index (a magnitude point given
   * its count: {@link GlobalMagnitude#keptCounts}'s for GLOBAL_MAGNITUDE).
   *
   * @param w length n; not changed
   * @param k kept elements, in [0, n]
   * @param kept if not null (length n), set to whether each element is kept
   * @return a new array
   */
  public static float[] keepLargest(float[] w, int k, boolean[] kept) {
    if (k < 0 || k > w.length) {
      throw new IllegalArgumentException("kept count must be in [0, " + w.length + "], got " + k);
    }
    float[] out = w.clone();
    if (kept != null) {
      Arrays.fill(kept, true);
    }
    if (k == 0) {
      Arrays.fill(out, 0f);
      if (kept != null) {
        Arrays.fill(kept, false);
      }
      return out;
    }
    magnitude(out, k, kept);
    return out;
  }

  /**
   * A scalar codec fitted to {@code w} per channel along {@code axis} (uniform: a min–max grid of
   * 2^bits levels per channel; dp: each channel's optimal 2^bits levels) and applied: encode, then
   * the codec's decode.
   *
   * @param w row-major, length = product of shape; not changed
   * @return a new array
   */
  public static float[] quantize(float[] w, long[] shape, int axis, ScalarCodec codec) {
    TensorLayout layout = TensorLayout.alongAxis(new TensorSpec("w", DType.F32, shape), axis);
    ScalarCodec.Summary s = codec.newSummary(layout);
    s.add(w, w.length, 0);
    ScalarCodec.Quantizer q = codec.fit(s);
    int[] codes = new int[w.length];
    q.encode(w, w.length, 0, codes);
    float[] out = new float[w.length];
    q.decode(codes, w.length, 0, out);
    return out;
  }

  /** Zeroes all but the k largest |w| (ties to the lower index). */
  private static void magnitude(float[] w, int k, boolean[] kept) {
    if (k >= w.length) {
      return;
    }
    float[] abs = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      abs[i] = Math.abs(w[i]);
    }
    float threshold = GlobalMagnitude.select(abs.clone(), w.length - k);
    int above = 0;
    for (float a : abs) {
      if (a > threshold) {
        above++;
      }
    }
    int ties = k - above;
    for (int i = 0; i < w.length; i++) {
      boolean keep = abs[i] > threshold || (abs[i] == threshold && ties-- > 0);
      if (!keep) {
        w[i] = 0f;
        if (kept != null) {
          kept[i] = false;
        }
      }
    }
  }

  /** Zeroes the channels c ≥ k along the axis. */
  private void channels(float[] w, long[] shape, int k, boolean[] kept) {
    TensorLayout layout = TensorLayout.alongAxis(new TensorSpec("w", DType.F32, shape), axis);
    for (int i = 0; i < w.length; i++) {
      if (layout.channelOf(i) >= k) {
        w[i] = 0f;
        if (kept != null) {
          kept[i] = false;
        }
      }
    }
  }
}
