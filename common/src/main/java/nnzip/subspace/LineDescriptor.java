package nnzip.subspace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import nnzip.InvalidInputException;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;

/**
 * What marks an ONNX graph as a line and travels with it through {@code compress}: the subspace
 * kind and the validation accuracy measured at points of the line, as JSON in the model's
 * {@code metadata_props} under {@value #METADATA_KEY}. Version 2 (written now): the graph's own
 * weights are the second endpoint w1, so the stored graph stays a valid ONNX model (the line's
 * accurate end, α = 1, uncompressed), and the first endpoint travels as its difference w0 − w1 in
 * initializers named {@value #DIFFERENCE_PREFIX} + the weight's key, which {@code compress} codes
 * at fewer bits than the weights (an error that shrinks to nothing as α goes to 1). Version 1
 * (read only): the graph's weights are w0 and w1 lies whole in {@value #SECOND_PREFIX} initializers.
 *
 * @param version format of this record: {@value #VERSION}, or 1 as read from older artifacts
 * @param kind what α compresses
 * @param table validation accuracy at points of the line, by ascending α
 */
public record LineDescriptor(int version, SubspaceKind kind, List<Point> table) {
  public static final int VERSION = 2;
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

  /** Checks the version and copies the table. */
  public LineDescriptor {
    if (version != 1 && version != VERSION) {
      throw new InvalidInputException("subspace descriptor version " + version + " is not supported (this nnzip reads 1"
          + " and " + VERSION + ")");
    }
    java.util.Objects.requireNonNull(kind, "kind");
    table = List.copyOf(table);
  }

  /** This descriptor with another table. */
  public LineDescriptor withTable(List<Point> points) {
    return new LineDescriptor(version, kind, points);
  }

  /** As JSON text. */
  public String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("version", version);
    o.put("kind", kind.label());
    ArrayNode t = o.putArray("table");
    table.forEach(p -> t.addObject().put("alpha", p.alpha()).put("validationAccuracy", p.validationAccuracy()));
    return o.toString();
  }

  /**
   * The descriptor of a graph.
   *
   * @param where the file named in errors
   * @throws InvalidInputException if the graph is no line, or its descriptor is malformed
   */
  public static LineDescriptor of(ModelProto model, String where) {
    String json = null;
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      if (e.getKey().equals(METADATA_KEY)) {
        json = e.getValue();
      }
    }
    if (json == null) {
      throw new InvalidInputException(where + ": not a compressible subspace (no " + METADATA_KEY
          + " in its graph; make one with nnzip train --subspace)");
    }
    try {
      JsonNode o = new ObjectMapper().readTree(json);
      List<Point> table = new ArrayList<>();
      for (JsonNode p : o.path("table")) {
        table.add(new Point(p.path("alpha").asDouble(), p.path("validationAccuracy").asDouble()));
      }
      return new LineDescriptor(o.path("version").asInt(-1), SubspaceKind.parse(o.path("kind").asText("")), table);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidInputException(where + ": malformed " + METADATA_KEY + " descriptor: " + e.getMessage(), e);
    }
  }

  /** The model with this descriptor in its metadata (replacing any earlier one). */
  public ModelProto attachTo(ModelProto model) {
    ModelProto.Builder b = model.toBuilder().clearMetadataProps();
    model.getMetadataPropsList().stream().filter(e -> !e.getKey().equals(METADATA_KEY)).forEach(b::addMetadataProps);
    b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(METADATA_KEY).setValue(toJson()));
    return b.build();
  }
}
