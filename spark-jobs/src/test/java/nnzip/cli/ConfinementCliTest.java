package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model may only read its own folder: a shard or an external-data location that a symlink (file
 * or folder) or a URI scheme takes elsewhere ends {@code compress} with exit 3 naming the entry, no
 * output, and the outside bytes nowhere under the output folder. The outside data is a passthrough
 * U8 tensor, so had it been read it would sit verbatim in the artifact.
 */
class ConfinementCliTest {
  private static final byte[] SECRET = "NNZIP-OUTSIDE-SECRET-0123456789-NNZIP-OUTSIDE-SECRET-0123456789"
      .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path root;
  Path model;
  Path outside;
  Path outDir;

  @BeforeEach
  void folders() throws IOException {
    model = Files.createDirectories(root.resolve("model"));
    outside = Files.createDirectories(root.resolve("outside"));
    outDir = Files.createDirectories(root.resolve("out"));
  }

  private static void shard(Path file, String tensor, byte[] bytes) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, List.of(new TensorSpec(tensor, DType.U8,
            new long[] {bytes.length})), Map.of())) {
      w.writeTensor(tensor, bytes);
      w.finish();
    }
  }

  private Path index(String secondShard) throws IOException {
    shard(model.resolve("s1.safetensors"), "a", new byte[64]);
    Path index = model.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"" + secondShard + "\"}}");
    return index;
  }

  private static ModelProto onnx(String location) {
    TensorProto b = TensorProto.newBuilder().setName("B").setDataType(TensorProto.DataType.UINT8_VALUE)
        .addDims(SECRET.length).setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location)).build();
    GraphProto g = GraphProto.newBuilder().setName("g").addInitializer(b)
        .addNode(NodeProto.newBuilder().setOpType("Identity").setName("id").addInput("B").addOutput("Y"))
        .addOutput(ValueInfoProto.newBuilder().setName("Y")).build();
    return ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
  }

  private Path onnxModel(String location) throws IOException {
    Path file = model.resolve("model.onnx");
    Files.write(file, onnx(location).toByteArray());
    return file;
  }

  /** compress exits 3 naming {@code entry}, writes nothing, and the secret is nowhere under the output folder. */
  private void refused(Path in, String entry) throws IOException {
    Path out = outDir.resolve("m.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", in.toString(), "--out", out.toString(), "--master", "local[1]");
    assertEquals(Main.INVALID_INPUT, c.code(), c.err());
    assertTrue(c.errorLine().contains(entry), c.errorLine());
    assertEquals(1, c.err().lines().filter(l -> l.startsWith("nnzip compress: error")).count(), c.err());
    BadInputCliTest.assertNoOutput(out);
    try (Stream<Path> files = Files.walk(outDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertFalse(contains(Files.readAllBytes(f), SECRET), "outside bytes found in " + f);
      }
    }
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void theSameModelsWithTheirDataInsideCompress() throws IOException {
    shard(model.resolve("s2.safetensors"), "b", SECRET);
    Path out = outDir.resolve("ok.nnz.safetensors");
    CliRun c = CliRun.of("compress", "--in", index("s2.safetensors").toString(), "--out", out.toString());
    assertEquals(0, c.code(), c.err());
    assertTrue(contains(Files.readAllBytes(out), SECRET), "a passthrough tensor is stored verbatim");
    Files.write(model.resolve("b.bin"), SECRET);
    Path onnxOut = outDir.resolve("ok-onnx.nnz.safetensors");
    CliRun o = CliRun.of("compress", "--in", onnxModel("b.bin").toString(), "--out", onnxOut.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(contains(Files.readAllBytes(onnxOut), SECRET), "a passthrough tensor is stored verbatim");
  }

  @Test
  void shardSymlinkedOutsideIsRefused() throws IOException {
    shard(outside.resolve("secret.safetensors"), "b", SECRET);
    Files.createSymbolicLink(model.resolve("s2.safetensors"), outside.resolve("secret.safetensors"));
    refused(index("s2.safetensors"), "shard 's2.safetensors' resolves to");
  }

  @Test
  void shardNamesWithAUriSchemeAreRefusedNamingTheEntry() throws IOException {
    shard(outside.resolve("secret.safetensors"), "b", SECRET);
    refused(index("file:" + outside.resolve("secret.safetensors")), "weight_map entry 'b' names shard 'file:");
    refused(index("file:secret.safetensors"), "weight_map entry 'b' names shard 'file:secret.safetensors'");
  }

  @Test
  void externalDataSymlinkedOutsideAsAFileOrThroughAFolderIsRefused() throws IOException {
    Files.write(outside.resolve("secret.bin"), SECRET);
    Files.createSymbolicLink(model.resolve("b.bin"), outside.resolve("secret.bin"));
    refused(onnxModel("b.bin"), "tensor 'B': external data location 'b.bin' resolves to");
    Files.createSymbolicLink(model.resolve("data"), outside);
    refused(onnxModel("data/secret.bin"), "tensor 'B': external data location 'data/secret.bin' resolves to");
  }

  @Test
  void externalDataLocationsWithASchemeAreRefusedNamingTheEntry() throws IOException {
    Files.write(outside.resolve("secret.bin"), SECRET);
    refused(onnxModel("file:" + outside.resolve("secret.bin")), "tensor 'B': external data location 'file:");
    refused(onnxModel("file:secret.bin"), "tensor 'B': external data location 'file:secret.bin'");
  }
}
