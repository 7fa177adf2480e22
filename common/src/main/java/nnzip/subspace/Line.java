package nnzip.subspace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.onnx.OnnxProto;
import nnzip.io.onnx.OnnxProto.Model;
import nnzip.io.onnx.OnnxProto.Tensor;
import nnzip.io.onnx.OnnxWeightWriter;
import nnzip.prune.ChannelGroup;
import nnzip.prune.ChannelGroups;
import nnzip.prune.ChannelRemoval;

/**
 * A trained line as the dialer sees it: the graph at full width, both endpoints of every line
 * weight, and the descriptor. {@link #dial} writes the standard ONNX model at a point: w(α) of
 * every line weight compressed as the kind says ({@link PointCompression}, the same code training
 * ran), and for structured lines the channels past the width physically removed
 * ({@link ChannelRemoval}, the BatchNorm statistics with them), unstructured weights of the global
 * scope keeping what one ranking of the model's magnitudes keeps ({@link GlobalMagnitude}), and
 * every BatchNorm node's running statistics the norm line's at α ({@link NormLine#at}). The graph is nnzip's own wire view
 * ({@link OnnxProto}), so the device dialer runs this class as {@code dial} does, with no protobuf
 * runtime.
 *
 * @param model the graph without the stored endpoint's initializers and without the descriptor
 * @param descriptor the line's kind and accuracy table
 * @param w0 first endpoint by weight key; {@code w1} the second, same keys
 * @param shapes the line weights' shapes by key
 * @param norms the per-α BatchNorm statistics ({@link NormLine#NONE}: the graph's own for every point)
 */
public record Line(Model model, LineDescriptor descriptor, Map<String, float[]> w0, Map<String, float[]> w1,
    Map<String, long[]> shapes, NormLine norms) {

  /** Copies the maps; checks that the descriptor lists the norm line's anchors. */
  public Line {
    w0 = new LinkedHashMap<>(w0);
    w1 = new LinkedHashMap<>(w1);
    shapes = new LinkedHashMap<>(shapes);
    java.util.Objects.requireNonNull(norms, "norms");
    if (!java.util.Arrays.equals(descriptor.normAlphas(), norms.alphas())) {
      throw new IllegalArgumentException("the descriptor's norm anchors " + descriptor.norm() + " are not the line's "
          + java.util.Arrays.toString(norms.alphas()));
    }
  }

  /** A line without per-α statistics. */
  public Line(Model model, LineDescriptor descriptor, Map<String, float[]> w0, Map<String, float[]> w1,
      Map<String, long[]> shapes) {
    this(model, descriptor, w0, w1, shapes, NormLine.NONE);
  }

  /** This line with another descriptor (the same norm anchors). */
  public Line withDescriptor(LineDescriptor d) {
    return new Line(model, d, w0, w1, shapes, norms);
  }

  /**
   * The line stored in a restored graph (see {@link LineDescriptor} for both versions): version 2
   * reads w1 from the graph's weights and w0 = w1 + (w0 − w1) from the {@value
   * LineDescriptor#DIFFERENCE_PREFIX} initializers, summed in float; version 1 reads w0 from the
   * weights and w1 from the {@value LineDescriptor#SECOND_PREFIX} ones.
   *
   * @param restored a full model as {@code compress} stored it and {@code decompress} restores it
   * @param where the file named in errors
   * @throws InvalidInputException if the model is no line or its endpoints disagree in shape
   */
  public static Line of(Model restored, String where) {
    LineDescriptor d = LineDescriptor.of(restored, where);
    boolean difference = d.version() != 1;
    String prefix = difference ? LineDescriptor.DIFFERENCE_PREFIX : LineDescriptor.SECOND_PREFIX;
    Map<String, Tensor> byName = new LinkedHashMap<>();
    restored.getGraph().getInitializerList().forEach(t -> byName.put(t.getName(), t));
    Map<String, float[]> w0 = new LinkedHashMap<>();
    Map<String, float[]> w1 = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Model b = restored.copy().removeMetadata(LineDescriptor.METADATA_KEY);
    b.getGraph().removeInitializers(t -> t.getName().startsWith(prefix));
    for (Tensor t : restored.getGraph().getInitializerList()) {
      if (!t.getName().startsWith(prefix)) {
        continue;
      }
      String key = t.getName().substring(prefix.length());
      Tensor weight = byName.get(key);
      if (weight == null || !weight.getDimsList().equals(t.getDimsList())) {
        throw new InvalidInputException(where + ": the line's stored endpoint '" + key + "' has "
            + (weight == null ? "no weight in the graph" : "shape " + t.getDimsList() + " but the weight "
                + weight.getDimsList()));
      }
      float[] base = floats(weight, where);
      float[] stored = floats(t, where);
      if (difference) {
        for (int i = 0; i < stored.length; i++) {
          stored[i] += base[i];
        }
        w0.put(key, stored);
        w1.put(key, base);
      } else {
        w0.put(key, base);
        w1.put(key, stored);
      }
      shapes.put(key, t.dims());
    }
    if (w0.isEmpty()) {
      throw new InvalidInputException(where + ": the subspace holds no second endpoint");
    }
    b.getGraph().removeInitializers(t -> t.getName().startsWith(NormLine.PREFIX));
    return new Line(b, d, w0, w1, shapes, norms(d, byName, where));
  }

  /**
   * The norm line of a version-3 graph: anchor j < K − 1 from the {@link NormLine#key} initializers,
   * the last from the graph's own statistic of that key.
   */
  private static NormLine norms(LineDescriptor d, Map<String, Tensor> byName, String where) {
    float[] alphas = d.normAlphas();
    if (alphas.length == 0) {
      return NormLine.NONE;
    }
    String first = NormLine.key(0, "");
    Map<String, float[][]> stats = new LinkedHashMap<>();
    try {
      for (String name : byName.keySet()) {
        if (!name.startsWith(first)) {
          continue;
        }
        String key = name.substring(first.length());
        float[][] s = new float[alphas.length][];
        for (int j = 0; j < alphas.length; j++) {
          Tensor t = byName.get(j == alphas.length - 1 ? key : NormLine.key(j, key));
          if (t == null) {
            throw new InvalidInputException(where + ": the norm line has no statistic '" + key + "' at anchor " + j);
          }
          s[j] = floats(t, where);
        }
        stats.put(key, s);
      }
      if (stats.isEmpty()) {
        throw new InvalidInputException(where + ": the descriptor lists norm anchors but the graph stores none");
      }
      return new NormLine(alphas, stats);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": malformed norm line: " + e.getMessage(), e);
    }
  }

  /**
   * The graph of a line as version {@value LineDescriptor#VERSION} stores it: {@code model} with w1 as
   * its weights, w0 − w1 (in float) as {@value LineDescriptor#DIFFERENCE_PREFIX} initializers, and the
   * descriptor.
   *
   * @throws IllegalArgumentException if {@code d} is of another version
   */
  public static Model toOnnx(Model model, Map<String, float[]> w0, Map<String, float[]> w1, LineDescriptor d) {
    return toOnnx(model, w0, w1, NormLine.NONE, d);
  }

  /**
   * The graph of a line with per-α BatchNorm statistics (version {@value LineDescriptor#NORM_VERSION}
   * where {@code norms} has anchors): as {@link #toOnnx(Model, Map, Map, LineDescriptor)}, the graph's
   * running statistics set to the last anchor's and the other anchors' added as {@link NormLine#key}
   * initializers, anchor by anchor.
   *
   * @throws IllegalArgumentException if {@code d} is not the version to write or lists other anchors
   */
  public static Model toOnnx(Model model, Map<String, float[]> w0, Map<String, float[]> w1, NormLine norms,
      LineDescriptor d) {
    int version = d.scope() == MagnitudeScope.GLOBAL ? LineDescriptor.GLOBAL_VERSION
        : norms.isEmpty() ? LineDescriptor.VERSION : LineDescriptor.NORM_VERSION;
    if (d.version() != version || !java.util.Arrays.equals(d.normAlphas(), norms.alphas())) {
      throw new IllegalArgumentException("this line is written as version " + version + " with norm anchors "
          + java.util.Arrays.toString(norms.alphas()) + ", got version " + d.version() + " with " + d.norm());
    }
    Map<String, byte[]> second = new LinkedHashMap<>();
    w1.forEach((k, v) -> second.put(k, bytes(v)));
    int last = norms.alphas().length - 1;
    norms.statistics().forEach((k, v) -> second.put(k, bytes(v[last])));
    Model b = OnnxWeightWriter.replace(model, second);
    Map<String, Tensor> byName = new LinkedHashMap<>();
    model.getGraph().getInitializerList().forEach(t -> byName.put(t.getName(), t));
    for (Map.Entry<String, float[]> e : w0.entrySet()) {
      Tensor t = byName.get(e.getKey());
      float[] end = w1.get(e.getKey());
      if (t == null || t.getDataType() != OnnxProto.FLOAT || end == null || end.length != e.getValue().length) {
        throw new InvalidInputException("line weight '" + e.getKey() + "' is not a float initializer of the graph"
            + " with both endpoints of one length");
      }
      float[] difference = new float[end.length];
      for (int i = 0; i < difference.length; i++) {
        difference[i] = e.getValue()[i] - end[i];
      }
      b.getGraph().addInitializer(Tensor.floats(LineDescriptor.DIFFERENCE_PREFIX + e.getKey(), t.dims(),
          bytes(difference)));
    }
    for (int j = 0; j < last; j++) {
      for (Map.Entry<String, float[][]> e : norms.statistics().entrySet()) {
        b.getGraph().addInitializer(Tensor.floats(NormLine.key(j, e.getKey()), byName.get(e.getKey()).dims(),
            bytes(e.getValue()[j])));
      }
    }
    return d.attachTo(b);
  }

  /**
   * The model at point α: a standard ONNX model (structured lines physically narrower).
   *
   * @throws IllegalArgumentException unless 0 ≤ α ≤ 1
   */
  public byte[] dial(double alpha) {
    float a = (float) SubspaceKind.checkAlpha(alpha);
    Map<String, PointCompression> comp = PointCompression.of(model, shapes, descriptor.kind(), descriptor.scope());
    Map<String, float[]> ranked = new LinkedHashMap<>();
    comp.forEach((k, c) -> {
      if (c.mode() == PointCompression.Mode.GLOBAL_MAGNITUDE && w0.containsKey(k)) {
        ranked.put(k, point(w0.get(k), w1.get(k), a));
      }
    });
    Map<String, Integer> counts = GlobalMagnitude.keptCounts(ranked,
        SubspaceKind.keepFraction(a, (float) SubspaceKind.LOWEST_KEEP));
    Map<String, byte[]> weights = new LinkedHashMap<>();
    for (String k : w0.keySet()) {
      weights.put(k, bytes(ranked.containsKey(k) ? PointCompression.keepLargest(ranked.get(k), counts.get(k), null)
          : weightAt(k, a, comp.getOrDefault(k, PointCompression.NONE))));
    }
    norms.at(a).forEach((k, v) -> weights.put(k, bytes(v)));
    Model b = OnnxWeightWriter.replace(model, weights).addMetadata(LineDescriptor.ALPHA_KEY, Float.toString(a));
    byte[] full = b.toByteArray();
    if (descriptor.kind() != SubspaceKind.STRUCTURED) {
      return full;
    }
    ChannelGroups groups = ChannelGroups.of(b);
    Map<String, int[]> kept = new LinkedHashMap<>();
    for (ChannelGroup g : groups.prunable()) {
      int k = SubspaceKind.keptChannels(a, g.channels());
      int[] first = new int[k];
      for (int i = 0; i < k; i++) {
        first[i] = i;
      }
      kept.put(g.id(), first);
    }
    return ChannelRemoval.apply(full, groups, kept).model();
  }

  /** One line weight at α (full width), as the point compresses it (a weight of the layer scope). */
  public float[] weightAt(String key, float alpha, PointCompression c) {
    // The lowest kept share as training stores it (a float in the line parameter): 0.025 and 0.025f
    // round ⌈keep·n⌉ differently where keep·n is a whole number.
    return c.apply(point(w0.get(key), w1.get(key), alpha), shapes.get(key), alpha,
        (float) SubspaceKind.LOWEST_KEEP, null);
  }

  /**
   * w(α) = (1 − α)·w0 + α·w1, element by element, in float as training computes it.
   *
   * @param w0 length n; {@code w1} the same
   */
  public static float[] point(float[] w0, float[] w1, float alpha) {
    if (w0.length != w1.length) {
      throw new IllegalArgumentException("endpoints have " + w0.length + " and " + w1.length + " values");
    }
    float[] w = new float[w0.length];
    float a0 = 1 - alpha;
    for (int i = 0; i < w.length; i++) {
      w[i] = a0 * w0[i] + alpha * w1[i];
    }
    return w;
  }

  /** The accuracy table's points. */
  public List<LineDescriptor.Point> table() {
    return descriptor.table();
  }

  static byte[] bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private static float[] floats(Tensor t, String where) {
    if (t.getDataType() != OnnxProto.FLOAT || !t.hasRawData()) {
      throw new InvalidInputException(where + ": line weight '" + t.getName() + "' is not a float tensor with raw data");
    }
    float[] v = new float[t.rawDataSize() / 4];
    t.getRawData().asFloatBuffer().get(v);
    return v;
  }
}
