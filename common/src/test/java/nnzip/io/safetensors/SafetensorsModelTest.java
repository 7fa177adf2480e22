package nnzip.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnzip.InvalidInputException;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every case opens the model twice, through Hadoop's file system and with java.nio alone: the same result. */
class SafetensorsModelTest {
  private final FileSystem fs = TestFiles.localFs();

  @TempDir java.nio.file.Path dir;

  /** Writes a shard holding F32[2] tensors of the given names, in that order. */
  private long shard(String file, String... names) throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    for (String n : names) {
      specs.add(new TensorSpec(n, DType.F32, new long[] {2}));
      data.add(TestFiles.randomBytes(n.hashCode(), 8));
    }
    byte[] bytes = TestFiles.written(specs, Map.of("format", "pt"), data);
    Files.write(dir.resolve(file), bytes);
    return bytes.length;
  }

  private Path index(String weightMapEntries) throws IOException {
    String json = "{\"metadata\":{\"total_size\":40},\"weight_map\":{" + weightMapEntries + "}}";
    Files.write(dir.resolve(SafetensorsModel.INDEX_NAME), json.getBytes(StandardCharsets.UTF_8));
    return TestFiles.hadoopPath(dir.resolve(SafetensorsModel.INDEX_NAME));
  }

  private static List<String> names(SafetensorsModel m) {
    return m.tensors().stream().map(t -> t.spec().name()).toList();
  }

  /** The model through Hadoop's file system, checked equal to the same model read with java.nio alone. */
  private SafetensorsModel open(Path p) throws IOException {
    SafetensorsModel viaHadoop = SafetensorsModel.open(fs, p);
    assertEquals(viaHadoop, SafetensorsModel.open(java.nio.file.Path.of(p.toUri())), "java.nio reads what Hadoop reads");
    return viaHadoop;
  }

  /** The refusal through Hadoop's file system, checked to be java.nio's word for word. */
  private InvalidInputException refused(Path p) {
    InvalidInputException viaHadoop = assertThrows(InvalidInputException.class, () -> SafetensorsModel.open(fs, p));
    InvalidInputException viaNio = assertThrows(InvalidInputException.class,
        () -> SafetensorsModel.open(java.nio.file.Path.of(p.toUri())));
    assertEquals(viaHadoop.getMessage(), viaNio.getMessage(), "java.nio refuses as Hadoop does");
    return viaHadoop;
  }

  @Test
  void singleFileIsAModelOfItsTensorsInOffsetOrder() throws IOException {
    long size = shard("model.safetensors", "z", "a");
    SafetensorsModel m = open(TestFiles.hadoopPath(dir.resolve("model.safetensors")));
    assertEquals(List.of("z", "a"), names(m));
    assertEquals(size, m.fileBytes());
    assertEquals(1, m.files().size());
  }

  @Test
  void directoryWithOneSafetensorsFileOpensThatFile() throws IOException {
    shard("weights.safetensors", "w");
    Files.writeString(dir.resolve("README.md"), "not a model");
    SafetensorsModel m = open(TestFiles.hadoopPath(dir));
    assertEquals(List.of("w"), names(m));
  }

  @Test
  void directoryWithTwoSafetensorsFilesAndNoIndexIsRefused() throws IOException {
    shard("a.safetensors", "a");
    shard("b.safetensors", "b");
    assertTrue(refused(TestFiles.hadoopPath(dir)).getMessage().contains("2 .safetensors files"));
  }

  @Test
  void shardedModelListsShardsInFileNameOrderThenTensorsInOffsetOrder() throws IOException {
    long s2 = shard("model-00002-of-00002.safetensors", "layer.1.w", "head");
    long s1 = shard("model-00001-of-00002.safetensors", "embed", "layer.0.w");
    // Index order deliberately differs from both file and offset order.
    Path index = index("\"head\":\"model-00002-of-00002.safetensors\",\"layer.0.w\":\"model-00001-of-00002.safetensors\","
        + "\"layer.1.w\":\"model-00002-of-00002.safetensors\",\"embed\":\"model-00001-of-00002.safetensors\"");

    SafetensorsModel m = open(index);
    assertEquals(List.of("embed", "layer.0.w", "layer.1.w", "head"), names(m));
    assertEquals(s1 + s2, m.fileBytes());
    assertTrue(m.files().get(0).endsWith("model-00001-of-00002.safetensors"), m.files().toString());
    StoredTensor head = m.tensors().get(3);
    assertTrue(head.file().endsWith("model-00002-of-00002.safetensors"), head.file());
    assertEquals(SafetensorsReader.readTensor(fs, head), SafetensorsReader.readTensor(fs,
        SafetensorsReader.tensors(fs, TestFiles.hadoopPath(dir.resolve("model-00002-of-00002.safetensors"))).get(1)));

    SafetensorsModel viaDirectory = open(TestFiles.hadoopPath(dir));
    assertEquals(m, viaDirectory);
  }

  @Test
  void shardListedInTheIndexButMissingIsRefused() throws IOException {
    shard("s1.safetensors", "a");
    InvalidInputException e = refused(index("\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\""));
    assertTrue(e.getMessage().contains("shard 's2.safetensors' is listed but missing"), e.getMessage());
  }

  @Test
  void tensorNamedInTheIndexButAbsentFromItsShardIsRefused() throws IOException {
    shard("s1.safetensors", "a");
    InvalidInputException e = refused(index("\"a\":\"s1.safetensors\",\"ghost\":\"s1.safetensors\""));
    assertTrue(e.getMessage().contains("tensor 'ghost' is mapped to shard 's1.safetensors' but absent from it"), e.getMessage());
  }

  @Test
  void tensorInTwoShardsIsRefused() throws IOException {
    shard("s1.safetensors", "a", "dup");
    shard("s2.safetensors", "dup", "b");
    InvalidInputException e = refused(index("\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\",\"dup\":\"s1.safetensors\""));
    assertTrue(e.getMessage().contains("tensor 'dup' appears in both shard 's1.safetensors' and shard 's2.safetensors'"),
        e.getMessage());
  }

  @Test
  void tensorFoundInAnotherShardThanTheIndexSaysIsRefused() throws IOException {
    shard("s1.safetensors", "a");
    shard("s2.safetensors", "b");
    InvalidInputException e = refused(index("\"a\":\"s2.safetensors\",\"b\":\"s1.safetensors\""));
    assertTrue(e.getMessage().contains("found in shard"), e.getMessage());
  }

  @Test
  void shardTensorThatTheIndexDoesNotListIsRefused() throws IOException {
    shard("s1.safetensors", "a", "extra");
    InvalidInputException e = refused(index("\"a\":\"s1.safetensors\""));
    assertTrue(e.getMessage().contains("holds tensor 'extra', which the index does not list"), e.getMessage());
  }

  @Test
  void indexPointingOutsideItsDirectoryIsRefused() throws IOException {
    InvalidInputException e = refused(index("\"a\":\"../elsewhere.safetensors\""));
    assertTrue(e.getMessage().contains("not a plain file name"), e.getMessage());
  }

  @Test
  void shardWithAUriSchemeIsRefusedNamingTheEntry() throws IOException {
    for (String shard : new String[] {"file:/etc/passwd", "file:passwd", "hdfs:s1.safetensors"}) {
      InvalidInputException e = refused(index("\"a\":\"" + shard + "\""));
      assertTrue(e.getMessage().contains("weight_map entry 'a' names shard '" + shard + "', which is not a plain file name"),
          e.getMessage());
    }
  }

  @Test
  void shardSymlinkedOutsideTheModelDirectoryIsRefusedBeforeAnyShardIsRead() throws IOException {
    java.nio.file.Path model = Files.createDirectories(dir.resolve("model"));
    java.nio.file.Path outside = Files.createDirectories(dir.resolve("outside"));
    shard("outside/s2.safetensors", "b");
    shard("model/s1.safetensors", "a");
    Files.createSymbolicLink(model.resolve("s2.safetensors"), outside.resolve("s2.safetensors"));
    String json = "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}";
    Files.writeString(model.resolve(SafetensorsModel.INDEX_NAME), json);
    InvalidInputException e = refused(TestFiles.hadoopPath(model));
    assertTrue(e.getMessage().contains("shard 's2.safetensors' resolves to " + outside.toRealPath().resolve("s2.safetensors")
        + ", outside the model folder"), e.getMessage());
    // The same link pointing at a shard inside the directory is fine.
    Files.move(outside.resolve("s2.safetensors"), model.resolve("real-s2.safetensors"));
    Files.delete(model.resolve("s2.safetensors"));
    Files.createSymbolicLink(model.resolve("s2.safetensors"), java.nio.file.Path.of("real-s2.safetensors"));
    assertEquals(List.of("a", "b"), names(open(TestFiles.hadoopPath(model))));
  }

  @Test
  void indexWithoutWeightMapIsRefused() throws IOException {
    Files.writeString(dir.resolve(SafetensorsModel.INDEX_NAME), "{\"metadata\":{}}");
    InvalidInputException e = refused(TestFiles.hadoopPath(dir.resolve(SafetensorsModel.INDEX_NAME)));
    assertTrue(e.getMessage().contains("no \"weight_map\" object"), e.getMessage());
  }

  @Test
  void missingPathIsReportedAsNoSuchFile() {
    Path absent = TestFiles.hadoopPath(dir.resolve("absent"));
    assertEquals("no such file: " + absent, refused(absent).getMessage());
  }
}
