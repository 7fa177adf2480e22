package nnzip.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import nnzip.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads NumPy's {@code .npz} archives ({@code np.savez}, {@code np.savez_compressed}): a zip file
 * whose entries {@code <key>.npy} each hold one array, stored or deflated. The archive is read
 * front to back with {@link ZipInputStream}, so it works on any Hadoop stream; entries not ending
 * in {@code .npy} are skipped, as are arrays the caller does not ask for. Corrupt or truncated zip
 * data and invalid arrays are {@link InvalidInputException}s naming the file and entry.
 */
public final class NpzReader {
  private NpzReader() {}

  /**
   * All arrays of an {@code .npz} file on a Hadoop path, by key (entry name without {@code .npy}).
   *
   * @return arrays in archive order (unmodifiable)
   * @throws InvalidInputException if the file is missing, not a zip archive, or holds an invalid array
   * @throws UncheckedIOException if the file system fails
   */
  public static Map<String, NpyArray> read(Path path, Configuration conf) {
    return read(path, conf, key -> true);
  }

  /**
   * The arrays of an {@code .npz} file on a Hadoop path whose keys are in {@code keys}; other
   * entries are skipped without being parsed. Keys absent from the archive are absent from the map.
   *
   * @throws InvalidInputException if the file is missing, not a zip archive, or a wanted array is invalid
   * @throws UncheckedIOException if the file system fails
   */
  public static Map<String, NpyArray> read(Path path, Configuration conf, Set<String> keys) {
    return read(path, conf, keys::contains);
  }

  private static Map<String, NpyArray> read(Path path, Configuration conf, Predicate<String> wanted) {
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      return read(in, path.toString(), wanted);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(path + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * The arrays of an {@code .npz} archive read from a stream (not closed) whose keys pass {@code
   * wanted}. {@code name} is used in messages only; an array's name is {@code name:entry}.
   *
   * @return arrays in archive order (unmodifiable)
   * @throws InvalidInputException if the data is not a zip archive, is corrupt or truncated, repeats
   *     a key, or holds an invalid wanted array
   * @throws IOException if the stream fails
   */
  public static Map<String, NpyArray> read(InputStream raw, String name, Predicate<String> wanted)
      throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    checkZipMagic(in, name);
    Map<String, NpyArray> arrays = new LinkedHashMap<>();
    ZipInputStream zip = new ZipInputStream(in);
    try {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.isDirectory() || !e.getName().endsWith(".npy")) {
          continue;
        }
        String key = e.getName().substring(0, e.getName().length() - ".npy".length());
        if (!wanted.test(key)) {
          continue;
        }
        if (arrays.containsKey(key)) {
          throw new InvalidInputException(name + ": entry " + e.getName() + " appears twice");
        }
        arrays.put(key, NpyReader.read(zip, name + ":" + e.getName()));
      }
    } catch (ZipException e) {
      throw new InvalidInputException(name + ": corrupt zip data: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new InvalidInputException(name + ": truncated zip archive", e);
    }
    return Collections.unmodifiableMap(arrays);
  }

  /** Accepts a local file header (PK\3\4) or the end record of an empty archive (PK\5\6). */
  private static void checkZipMagic(BufferedInputStream in, String name) throws IOException {
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    boolean zip = magic.length == 4 && magic[0] == 'P' && magic[1] == 'K'
        && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
    if (!zip) {
      throw new InvalidInputException(name + ": not an .npz file (no zip signature)");
    }
  }
}
