package nnzip.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import nnzip.artifact.Chunk;
import nnzip.artifact.Manifest;
import nnzip.artifact.Provenance;
import nnzip.artifact.StoredEntry;
import nnzip.artifact.TensorRecord;
import nnzip.config.Recipes;
import nnzip.job.FinetuneJob;
import org.apache.hadoop.fs.Path;

/**
 * The one JSON report of {@code compress --json} and {@code inspect --json}: both print the same
 * fields with the same types, so a script reads either. Fields a command cannot know are null
 * (inspect knows no timing or finetuning; an artifact without provenance knows no source size).
 *
 * <p>Schema version {@value #SCHEMA_VERSION}, fields in this order: {@code schemaVersion} (int),
 * {@code output} (artifact path: absolute for local files, else its URI), {@code format} (artifact
 * format version), {@code sourceFormat}, {@code sourceMetadata} (object of strings), {@code
 * sourceBytes} (int or null), {@code artifactBytes} (int), {@code ratio} (source file bytes / artifact
 * file bytes, or null), {@code recipe} (object: the resolved recipe), {@code provenance} (object or
 * null: nnzipVersion, gitCommit, sourceUri, sourceBytes, sourceSha256), {@code graph} (entry key of
 * the ONNX graph or null), {@code verified} (boolean: this run checked every chunk's SHA-256), {@code
 * seconds} (number or null), {@code finetune} (object or null), {@code shared} (entries) and {@code
 * tensors} (rows: name, dtype, shape, codec, bits, scope (string or null), channels, axis,
 * bitsPerWeight, relativeMse, maxAbsError, originalBytes, storedBytes, entries). An entry is {@code
 * {key, role, bytes, chunks: [{bytes}]}}.
 */
public final class ReportJson {
  /** Raised when a field is renamed, removed or changes type; adding a field keeps it. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  /**
   * The report of one artifact.
   *
   * @param output the artifact's location (local path or Hadoop URI)
   * @param recipe the resolved recipe as HOCON text (as stored in the artifact)
   * @param provenance where the artifact came from, or null when unknown (artifacts before format 3)
   * @param sourceBytes bytes of the source model files, or -1 when unknown
   * @param artifactBytes bytes of the artifact file
   */
  public static ObjectNode of(Manifest m, String output, String recipe, Provenance provenance, long sourceBytes,
      long artifactBytes) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("schemaVersion", SCHEMA_VERSION);
    o.put("output", displayPath(output));
    o.put("format", m.formatVersion());
    o.put("sourceFormat", m.sourceFormat());
    ObjectNode meta = o.putObject("sourceMetadata");
    m.sourceMetadata().forEach(meta::put);
    if (sourceBytes >= 0) {
      o.put("sourceBytes", sourceBytes);
    } else {
      o.putNull("sourceBytes");
    }
    o.put("artifactBytes", artifactBytes);
    if (sourceBytes >= 0 && artifactBytes > 0) {
      o.put("ratio", (double) sourceBytes / artifactBytes);
    } else {
      o.putNull("ratio");
    }
    o.set("recipe", recipeObject(recipe));
    if (provenance == null) {
      o.putNull("provenance");
    } else {
      // The recipe is the top-level field: the provenance's copy is the same text.
      o.putObject("provenance").put("nnzipVersion", provenance.nnzipVersion())
          .put("gitCommit", provenance.gitCommit()).put("sourceUri", provenance.sourceUri())
          .put("sourceBytes", provenance.sourceBytes()).put("sourceSha256", provenance.sourceSha256());
    }
    if (m.graphKey() != null) {
      o.put("graph", m.graphKey());
    } else {
      o.putNull("graph");
    }
    o.put("verified", false);
    o.putNull("seconds");
    o.putNull("finetune");
    putEntries(o.putArray("shared"), m.shared());
    ArrayNode tensors = o.putArray("tensors");
    for (TensorRecord t : m.tensors()) {
      ObjectNode r = tensors.addObject();
      r.put("name", t.spec().name());
      r.put("dtype", t.spec().dtype().safetensorsName());
      ArrayNode shape = r.putArray("shape");
      for (long d : t.spec().shape()) {
        shape.add(d);
      }
      r.put("codec", t.codec().label());
      r.put("bits", t.bits());
      r.put("scope", t.scope());
      r.put("channels", t.channels());
      r.put("axis", t.channelAxis());
      r.put("bitsPerWeight", t.bitsPerWeight());
      r.put("relativeMse", t.relativeMse());
      r.put("maxAbsError", t.maxAbsError());
      r.put("originalBytes", t.originalBytes());
      r.put("storedBytes", t.storedBytes());
      putEntries(r.putArray("entries"), t.entries());
    }
    return o;
  }

  /** Sets {@code finetune}: test accuracies of the original, decoded and finetuned models, and each epoch. */
  public static void putFinetune(ObjectNode report, FinetuneJob.Outcome tuned) {
    ObjectNode f = MAPPER.createObjectNode();
    f.put("testAccuracyOriginal", tuned.testOriginal());
    f.put("testAccuracyBefore", tuned.testBefore());
    f.put("testAccuracyAfter", tuned.testAfter());
    ArrayNode h = f.putArray("epochs");
    tuned.history().forEach(e -> h.addObject().put("epoch", e.epoch()).put("trainLoss", e.trainLoss())
        .put("validationAccuracy", e.validationAccuracy()).put("msPerStep", e.millisPerStep()));
    report.set("finetune", f);
  }

  /** The recipe text as a JSON object (Typesafe Config renders HOCON as JSON). */
  static ObjectNode recipeObject(String hocon) {
    try {
      return (ObjectNode) MAPPER.readTree(Recipes.toJson(hocon == null ? "" : hocon));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Typesafe Config rendered a recipe Jackson cannot read", e);
    }
  }

  /** A local artifact as a plain absolute path; other file systems as their URI. */
  static String displayPath(String location) {
    Path p = nnzip.io.HadoopFiles.qualify(location);
    return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
  }

  private static void putEntries(ArrayNode array, java.util.List<StoredEntry> entries) {
    for (StoredEntry e : entries) {
      ObjectNode eo = array.addObject();
      eo.put("key", e.key());
      eo.put("role", e.role());
      eo.put("bytes", e.bytes());
      ArrayNode chunks = eo.putArray("chunks");
      for (Chunk c : e.chunks()) {
        chunks.addObject().put("bytes", c.bytes());
      }
    }
  }
}
