package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import nnzip.Digests;
import nnzip.InvalidInputException;
import nnzip.io.HadoopFiles;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.job.KnownDigest;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source digest against its definition, computed the slow obvious way: SHA-256 over the whole
 * bytes of the model's files, concatenated in reading order. Each model is digested from a plain
 * path, from its {@code file:} URI (both read with java.nio) and through Hadoop's file system: the
 * same digest.
 */
class SourceDigestTest {
  @TempDir Path dir;

  /** SHA-256 over the files' bytes, in the order given. */
  private static KnownDigest reference(Path... files) throws IOException {
    MessageDigest d = Digests.sha256();
    long bytes = 0;
    for (Path f : files) {
      byte[] b = Files.readAllBytes(f);
      d.update(b);
      bytes += b.length;
    }
    return new KnownDigest(Digests.hex(d.digest()), bytes);
  }

  /** The digest of {@code model} every way it can be read, checked equal; returns it. */
  private static KnownDigest everyWay(Path model) throws IOException {
    KnownDigest plain = SourceDigest.of(model.toString());
    assertEquals(plain, SourceDigest.of(model.toUri().toString()), "file: URI");
    assertEquals(plain, SourceDigest.viaHadoop(HadoopFiles.qualify(model.toString())), "through Hadoop");
    return plain;
  }

  private static Path shard(Path file, String... names) throws IOException {
    List<TensorSpec> specs = java.util.Arrays.stream(names).map(n -> new TensorSpec(n, DType.F32, new long[] {3})).toList();
    try (OutputStream out = Files.newOutputStream(file); SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of())) {
      for (String n : names) {
        byte[] v = new byte[12];
        new java.util.SplittableRandom(n.hashCode()).nextBytes(v);
        w.writeTensor(n, v);
      }
      w.finish();
    }
    return file;
  }

  @Test
  void aSafetensorsFileIsTheSha256OfItsBytes() throws IOException {
    Path model = ZooFixtures.model(dir.resolve("m.safetensors"), 7);
    assertEquals(reference(model), everyWay(model));
  }

  @Test
  void aShardedModelIsTheSha256OfItsShardsInFileNameOrder() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("sharded"));
    Path s2 = shard(folder.resolve("model-00002-of-00002.safetensors"), "head");
    Path s1 = shard(folder.resolve("model-00001-of-00002.safetensors"), "embed", "body");
    Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"head\":"
        + "\"model-00002-of-00002.safetensors\",\"body\":\"model-00001-of-00002.safetensors\",\"embed\":"
        + "\"model-00001-of-00002.safetensors\"}}");
    KnownDigest expected = reference(s1, s2);
    assertEquals(expected, everyWay(folder));
    assertEquals(expected, everyWay(folder.resolve("model.safetensors.index.json")));
  }

  @Test
  void anOnnxFileWithoutExternalDataIsTheSha256OfItsBytes() throws IOException {
    Path model = dir.resolve("m.onnx");
    Files.write(model, onnx("W", null).toByteArray());
    assertEquals(reference(model), everyWay(model));
  }

  @Test
  void anOnnxFileWithExternalDataIsFollowedByEachExternalFileOnceInGraphOrder() throws IOException {
    Path model = dir.resolve("ext.onnx");
    Files.write(dir.resolve("b.bin"), new byte[] {1, 2, 3, 4});
    Files.write(dir.resolve("a.bin"), new byte[] {9, 8, 7, 6});
    ModelProto m = onnx("W", "b.bin").toBuilder()
        .setGraph(onnx("W", "b.bin").getGraph().toBuilder()
            .addInitializer(external("V", "a.bin")).addInitializer(external("U", "b.bin"))).build();
    Files.write(model, m.toByteArray());
    assertEquals(reference(model, dir.resolve("b.bin"), dir.resolve("a.bin")), everyWay(model));
  }

  @Test
  void aMissingSourceIsNoSuchFileEitherWay() {
    Path absent = dir.resolve("absent.safetensors");
    InvalidInputException local = assertThrows(InvalidInputException.class, () -> SourceDigest.of(absent.toString()));
    InvalidInputException hadoop = assertThrows(InvalidInputException.class,
        () -> SourceDigest.viaHadoop(HadoopFiles.qualify(absent.toString())));
    assertEquals(hadoop.getMessage(), local.getMessage());
    assertTrue(local.getMessage().startsWith("no such file: "), local.getMessage());
  }

  private static TensorProto external(String name, String location) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.UINT8_VALUE).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location)).build();
  }

  /** A one-node graph whose initializer {@code name} is inline, or external in {@code location}. */
  private static ModelProto onnx(String name, String location) {
    TensorProto w = location != null ? external(name, location)
        : TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(2)
            .addFloatData(0.5f).addFloatData(-1.5f).build();
    GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(w)
        .addNode(NodeProto.newBuilder().setOpType("Identity").setName("id").addInput(name).addOutput("Y"))
        .addOutput(ValueInfoProto.newBuilder().setName("Y")).build();
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
  }
}
