package nnzip.subspace;

import java.util.ArrayList;
import java.util.List;
import nnzip.InvalidInputException;
import nnzip.io.json.JsonReader;
import nnzip.io.json.JsonValue;
import nnzip.io.onnx.OnnxProto;
import nnzip.io.onnx.OnnxProto.Model;

/**
 * What marks an ONNX graph as a line and travels with it through {@code compress}: the subspace
 * kind and the validation accuracy measured at points of the line, as JSON in the model's
 * {@code metadata_props} under {@value #METADATA_KEY}. Version 2 (written now): the graph's own
 * weights are the second endpoint w1, so the stored graph stays a valid ONNX model (the line's
 * accurate end, α = 1, uncompressed), and the first endpoint travels as its difference w0 − w1 in
 * initializers named {@value #DIFFERENCE_PREFIX} + the weight's key, which {@code compress} codes
 * at fewer bits than the weights (an error that shrinks to nothing as α goes to 1). Version 1
 * (read only): the graph's weights are w0 and w1 lies whole in {@value #SECOND_PREFIX} initializers.
 * Version 3 is version 2 with per-α BatchNorm statistics ({@link NormLine}): the descriptor lists the
 * anchors' points under {@code norm}, the graph's own running statistics are the last anchor's (α = 1)
 * and every other anchor's are initializers named {@link NormLine#key}; lines of graphs without
 * BatchNorm (or with one pair of statistics for every point) are still written as version 2.
 * Version 4 is an unstructured line whose points rank magnitudes over the whole model
 * ({@link MagnitudeScope#GLOBAL}, {@code "magnitudeScope":"global"}), laid out as version 2 or, with
 * norm anchors, 3: a reader that knows only 1 to 3 refuses it rather than dial other points.
 *
 * @param version format of this record: {@value #VERSION}, {@value #NORM_VERSION} or {@value
 *     #GLOBAL_VERSION} (written, as {@link #of(SubspaceKind, List, List, MagnitudeScope)} picks), or 1 as
 *     read from older artifacts
 * @param kind what α compresses
 * @param table validation accuracy at points of the line, by ascending α
 * @param norm the norm line's anchor points (version 3, or 4 with them), else empty
 * @param scope what an unstructured point ranks magnitudes over: GLOBAL in version 4 only
 */
public record LineDescriptor(int version, SubspaceKind kind, List<Point> table, List<Float> norm,
    MagnitudeScope scope) {
  public static final int VERSION = 2;
  /** The version of lines with per-α BatchNorm statistics. */
  public static final int NORM_VERSION = 3;
  /** The version of unstructured lines of the global magnitude scope (with or without norm anchors). */
  public static final int GLOBAL_VERSION = 4;
  public static final String METADATA_KEY = "nnzip.subspace";
  /** Metadata key of a dialed model: the α it was dialed at. */
  public static final String ALPHA_KEY = "nnzip.subspace.alpha";
  /** Version 1: prefix of the second endpoint's initializers. */
  public static final String SECOND_PREFIX = "nnzip.line1/";
  /** Version 2: prefix of the initializers holding w0 − w1. */
  public static final String DIFFERENCE_PREFIX = "nnzip.line0-1/";

  /**
   * A measured point.
   *
   * @param alpha the point, in [0, 1]
   * @param validationAccuracy top-1 accuracy on the validation split, in [0, 1]
   */
  public record Point(double alpha, double validationAccuracy) {}

  /** Checks the version and copies the lists. */
  public LineDescriptor {
    if (version < 1 || version > GLOBAL_VERSION) {
      throw new InvalidInputException("subspace descriptor version " + version + " is not supported (this nnzip reads 1"
          + " to " + GLOBAL_VERSION + ")");
    }
    java.util.Objects.requireNonNull(kind, "kind");
    java.util.Objects.requireNonNull(scope, "scope");
    table = List.copyOf(table);
    norm = List.copyOf(norm);
    if (version != GLOBAL_VERSION && (version == NORM_VERSION) == norm.isEmpty()) {
      throw new InvalidInputException("subspace descriptor version " + version + " with " + norm.size()
          + " norm anchors (version " + NORM_VERSION + " has them, " + GLOBAL_VERSION + " may, the others none)");
    }
    if ((version == GLOBAL_VERSION) != (scope == MagnitudeScope.GLOBAL && kind == SubspaceKind.UNSTRUCTURED)) {
      throw new InvalidInputException("subspace descriptor version " + version + " of a " + kind.label()
          + " line with magnitude scope " + scope.label() + " (version " + GLOBAL_VERSION
          + " is the unstructured lines of the global scope, and only they)");
    }
  }

  /** A descriptor of the layer scope. */
  public LineDescriptor(int version, SubspaceKind kind, List<Point> table, List<Float> norm) {
    this(version, kind, table, norm, MagnitudeScope.LAYER);
  }

  /** A descriptor of the layer scope without norm anchors. */
  public LineDescriptor(int version, SubspaceKind kind, List<Point> table) {
    this(version, kind, table, List.of());
  }

  /** The descriptor to write: version {@value #NORM_VERSION} with norm anchors, else {@value #VERSION}. */
  public static LineDescriptor of(SubspaceKind kind, List<Point> table, List<Float> norm) {
    return of(kind, table, norm, MagnitudeScope.LAYER);
  }

  /**
   * The descriptor to write: version {@value #GLOBAL_VERSION} for an unstructured line of the global
   * scope (other kinds ignore the scope), else as {@link #of(SubspaceKind, List, List)}.
   */
  public static LineDescriptor of(SubspaceKind kind, List<Point> table, List<Float> norm, MagnitudeScope scope) {
    if (kind == SubspaceKind.UNSTRUCTURED && scope == MagnitudeScope.GLOBAL) {
      return new LineDescriptor(GLOBAL_VERSION, kind, table, norm, scope);
    }
    return new LineDescriptor(norm.isEmpty() ? VERSION : NORM_VERSION, kind, table, norm);
  }

  /** This descriptor with another table. */
  public LineDescriptor withTable(List<Point> points) {
    return new LineDescriptor(version, kind, points, norm, scope);
  }

  /** The norm anchors' points as an array (empty without). */
  public float[] normAlphas() {
    float[] a = new float[norm.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = norm.get(i);
    }
    return a;
  }

  /** As JSON text (numbers as Java prints doubles, which is what Jackson wrote before). */
  public String toJson() {
    StringBuilder b = new StringBuilder();
    b.append("{\"version\":").append(version).append(",\"kind\":\"").append(kind.label()).append("\",\"table\":[");
    for (int i = 0; i < table.size(); i++) {
      Point p = table.get(i);
      b.append(i == 0 ? "" : ",").append("{\"alpha\":").append(number(p.alpha())).append(",\"validationAccuracy\":")
          .append(number(p.validationAccuracy())).append('}');
    }
    b.append(']');
    if (!norm.isEmpty()) {
      b.append(",\"norm\":[");
      for (int i = 0; i < norm.size(); i++) {
        b.append(i == 0 ? "" : ",").append(Double.toString(norm.get(i)));
      }
      b.append(']');
    }
    if (scope != MagnitudeScope.LAYER) {
      b.append(",\"magnitudeScope\":\"").append(scope.label()).append('"');
    }
    return b.append('}').toString();
  }

  /** JSON has no NaN or infinities: they are written as strings, as Jackson did. */
  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "\"" + v + "\"";
  }

  /**
   * The descriptor of a graph.
   *
   * @param where the file named in errors
   * @throws InvalidInputException if the graph is no line, or its descriptor is malformed
   */
  public static LineDescriptor of(Model model, String where) {
    String json = null;
    for (OnnxProto.Entry e : model.getMetadataPropsList()) {
      if (e.getKey().equals(METADATA_KEY)) {
        json = e.getValue();
      }
    }
    if (json == null) {
      throw new InvalidInputException(where + ": not a compressible subspace (no " + METADATA_KEY
          + " in its graph; make one with nnzip train --subspace)");
    }
    try {
      JsonValue o = JsonReader.parse(json);
      List<Point> table = new ArrayList<>();
      for (JsonValue p : o.path("table")) {
        table.add(new Point(p.path("alpha").asDouble(), p.path("validationAccuracy").asDouble()));
      }
      List<Float> norm = new ArrayList<>();
      for (JsonValue a : o.path("norm")) {
        norm.add((float) a.asDouble());
      }
      return new LineDescriptor(o.path("version").asInt(-1), SubspaceKind.parse(o.path("kind").asText("")), table,
          norm, MagnitudeScope.parse(o.path("magnitudeScope").asText(MagnitudeScope.LAYER.label())));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": malformed " + METADATA_KEY + " descriptor: " + e.getMessage(), e);
    }
  }

  /** A copy of the model with this descriptor in its metadata (replacing any earlier one). */
  public Model attachTo(Model model) {
    return model.copy().removeMetadata(METADATA_KEY).addMetadata(METADATA_KEY, toJson());
  }
}
