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
 * kind and the validation accuracy measured at points of the line after training, as JSON in the
 * model's {@code metadata_props} under {@value #METADATA_KEY}. The second endpoint's weights are
 * initializers named {@value #SECOND_PREFIX} + the weight's key; the first endpoint's are the
 * graph's own weights, so the stored graph stays a valid ONNX model (the line at α = 0, uncompressed).
 *
 * @param version format of this record, {@value #VERSION}
 * @param kind what α compresses
 * @param table validation accuracy at points of the line, by ascending α
 */
public record LineDescriptor(int version, SubspaceKind kind, List<Point> table) {
  public static final int VERSION = 1;
  public static final String METADATA_KEY = "nnzip.subspace";
  /** Metadata key of a dialed model: the α it was dialed at. */
  public static final String ALPHA_KEY = "nnzip.subspace.alpha";
  public static final String SECOND_PREFIX = "nnzip.line1/";

  /**
   * A measured point.
   *
   * @param alpha the point, in [0, 1]
   * @param validationAccuracy top-1 accuracy on the validation split, in [0, 1]
   */
  public record Point(double alpha, double validationAccuracy) {}

  /** Checks the version and copies the table. */
  public LineDescriptor {
    if (version != VERSION) {
      throw new InvalidInputException("subspace descriptor version " + version + " is not supported (this nnzip reads "
          + VERSION + ")");
    }
    java.util.Objects.requireNonNull(kind, "kind");
    table = List.copyOf(table);
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
