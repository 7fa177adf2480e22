package nnzip.io.safetensors;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnzip.io.ModelFolder;
import nnzip.io.StoredTensor;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model stored as safetensors, single-file or sharded, seen as one ordered list of tensors. Only
 * headers are read. Tensor order is deterministic: shards in lexicographic order of their file
 * names (which is numeric order for Hugging Face's {@code model-00001-of-00003.safetensors}), and
 * within a shard by offset.
 *
 * @param tensors every tensor of the model with its file (fully qualified) and absolute offset
 * @param files the model's safetensors files (fully qualified), in reading order
 * @param fileBytes total size of those files, the numerator of a compression ratio
 */
public record SafetensorsModel(List<StoredTensor> tensors, List<String> files, long fileBytes) {
  /** Name of the index file that marks a sharded model directory. */
  public static final String INDEX_NAME = "model.safetensors.index.json";

  /** Copies both lists, which are then unmodifiable. */
  public SafetensorsModel {
    tensors = List.copyOf(tensors);
    files = List.copyOf(files);
  }

  /**
   * Opens a model: a {@code .safetensors} file; a {@code *.index.json} shard index; or a directory
   * holding {@value #INDEX_NAME} or else exactly one {@code *.safetensors} file.
   *
   * @throws nnzip.InvalidInputException if the path is missing; a directory has no index and not
   *     exactly one {@code .safetensors} file; a header is invalid; a listed shard is missing; a
   *     tensor of the index is absent from its shard or lies in another one; a shard holds a tensor
   *     the index does not list; two shards hold the same tensor name; or a shard resolves outside
   *     the index's directory through a symlink ({@link ModelFolder#confine})
   * @throws IOException if the file system fails
   */
  public static SafetensorsModel open(FileSystem fs, Path path) throws IOException {
    return open(new Storage.Hadoop(fs), path);
  }

  /**
   * As {@link #open(FileSystem, Path)}, for a model on the local disk, read with java.nio alone (no
   * Hadoop file system starts). Files are named by their {@code file:} paths, as Hadoop's local file
   * system names them, so the result equals the Hadoop one's.
   *
   * @throws nnzip.InvalidInputException as {@link #open(FileSystem, Path)}
   * @throws IOException if the disk fails
   */
  public static SafetensorsModel open(java.nio.file.Path path) throws IOException {
    return open(Storage.Local.INSTANCE, new Path(path.toAbsolutePath().normalize().toUri()));
  }

  private static SafetensorsModel open(Storage storage, Path path) throws IOException {
    boolean directory;
    try {
      directory = storage.isDirectory(path);
    } catch (java.io.FileNotFoundException e) {
      throw new nnzip.InvalidInputException(Errors.oneLine("no such file: " + path), e);
    }
    if (directory) {
      return openDirectory(storage, path);
    }
    return path.getName().endsWith(".index.json") ? openIndex(storage, path) : openSingle(storage, path);
  }

  private static SafetensorsModel openSingle(Storage storage, Path file) throws IOException {
    SafetensorsHeader header = SafetensorsFile.readHeader(storage.file(file), SafetensorsHeader.MAX_HEADER_BYTES);
    String qualified = storage.qualified(file);
    return new SafetensorsModel(header.tensors(qualified), List.of(qualified), header.fileSize());
  }

  private static SafetensorsModel openDirectory(Storage storage, Path dir) throws IOException {
    Path index = new Path(dir, INDEX_NAME);
    if (storage.exists(index)) {
      return openIndex(storage, index);
    }
    List<Path> candidates = new ArrayList<>();
    for (Path f : storage.files(dir)) {
      if (f.getName().endsWith(".safetensors")) {
        candidates.add(f);
      }
    }
    if (candidates.size() != 1) {
      throw Errors.invalid(dir, "directory has no " + INDEX_NAME + " and " + candidates.size()
          + " .safetensors files; expected exactly one");
    }
    return openSingle(storage, candidates.get(0));
  }

  private static SafetensorsModel openIndex(Storage storage, Path index) throws IOException {
    ShardIndex map = ShardIndex.read(storage.file(index));
    List<StoredTensor> tensors = new ArrayList<>();
    List<String> files = new ArrayList<>();
    Map<String, String> shardOf = new LinkedHashMap<>(); // ordered, so the first error reported is stable
    long bytes = 0;
    for (String shard : map.shards()) {
      // Every shard is confined before any shard's bytes are read.
      storage.confine(index.getParent(), new Path(index.getParent(), shard),
          Errors.oneLine(index + ": shard " + Errors.quote(shard)));
    }
    for (String shard : map.shards()) {
      Path file = new Path(index.getParent(), shard);
      if (!storage.exists(file)) {
        throw Errors.invalid(index, "shard " + Errors.quote(shard) + " is listed but missing: no such file: " + file);
      }
      SafetensorsHeader header = SafetensorsFile.readHeader(storage.file(file), SafetensorsHeader.MAX_HEADER_BYTES);
      for (SafetensorsHeader.Entry e : header.entries()) {
        String before = shardOf.putIfAbsent(e.name(), shard);
        if (before != null) {
          throw Errors.invalid(index, "tensor " + Errors.quote(e.name()) + " appears in both shard "
              + Errors.quote(before) + " and shard " + Errors.quote(shard));
        }
      }
      String qualified = storage.qualified(file);
      tensors.addAll(header.tensors(qualified));
      files.add(qualified);
      bytes += header.fileSize();
    }
    checkAgainstIndex(index, map, shardOf);
    return new SafetensorsModel(tensors, files, bytes);
  }

  /** The index and the shard headers must name the same tensors in the same shards. */
  private static void checkAgainstIndex(Path index, ShardIndex map, Map<String, String> shardOf) {
    map.weightMap().forEach((name, shard) -> {
      String found = shardOf.get(name);
      if (found == null) {
        throw Errors.invalid(index, "tensor " + Errors.quote(name) + " is mapped to shard " + Errors.quote(shard)
            + " but absent from it");
      }
      if (!found.equals(shard)) {
        throw Errors.invalid(index, "tensor " + Errors.quote(name) + " is mapped to shard " + Errors.quote(shard)
            + " but found in shard " + Errors.quote(found));
      }
    });
    shardOf.forEach((name, shard) -> {
      if (!map.weightMap().containsKey(name)) {
        throw Errors.invalid(index, "shard " + Errors.quote(shard) + " holds tensor " + Errors.quote(name)
            + ", which the index does not list");
      }
    });
  }
}
