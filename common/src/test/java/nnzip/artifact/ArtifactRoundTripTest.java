package nnzip.artifact;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.codec.BitPacking;
import nnzip.codec.CodecKind;
import nnzip.codec.ScalarCodec;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.codec.uniform.UniformCodec;
import nnzip.compress.CompressionSettings;
import nnzip.compress.TestSettings;
import nnzip.io.HadoopFiles;
import nnzip.io.StoredTensor;
import nnzip.io.safetensors.SafetensorsHeader;
import nnzip.io.safetensors.SafetensorsReader;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compress a small safetensors model of every dtype without Spark ({@link LocalCompressor}),
 * open, verify and restore the artifact, and compare with the original: passthrough tensors
 * byte-identical, coded tensors within half a step, the manifest's error what an independent
 * recomputation gives, the artifact deterministic, and every kind of damage detected.
 */
class ArtifactRoundTripTest {
  private static final int BITS = 4;
  private static final Map<String, String> SOURCE_METADATA = Map.of("format", "pt");

  /** One model, compressed and restored once for the tests that only read. */
  @TempDir static java.nio.file.Path shared;
  private static FileSystem fs;
  private static Path model;
  private static LocalCompressor.Run run;
  private static Path restoredModel;

  @TempDir java.nio.file.Path dir;

  /** Name, dtype and shape of the test model's tensors, in file order. */
  private static final List<TensorSpec> SPECS = List.of(
      new TensorSpec("conv.weight", DType.F32, new long[] {8, 3, 3, 3}),
      new TensorSpec("conv.bias", DType.F32, new long[] {8}),
      new TensorSpec("fc.weight", DType.F16, new long[] {16, 40}),
      new TensorSpec("emb.weight", DType.BF16, new long[] {30, 12}),
      new TensorSpec("proj.weight", DType.F64, new long[] {5, 24}),
      new TensorSpec("ln.weight", DType.F32, new long[] {4, 6}),
      new TensorSpec("position_ids", DType.I64, new long[] {1, 10}),
      new TensorSpec("tensor.weight", DType.F32, new long[] {3, 8}));

  private static CompressionSettings settings(long shardBytes) {
    // Rank ≤ 1 and names ln.* are kept; integers always are.
    return TestSettings.of(CodecKind.UNIFORM, BITS, Scope.CHANNEL).keep("ln\\..*").shardBytes(shardBytes).build();
  }

  private static Path hadoop(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  @BeforeAll
  static void compressAndRestoreOnce() throws IOException {
    fs = HadoopFiles.fileSystem(shared.toUri().toString()); // the file system the CLI would use
    model = hadoop(shared.resolve("model.safetensors"));
    writeModel(shared.resolve("model.safetensors"), 42);
    run = LocalCompressor.compress(fs, model, hadoop(shared.resolve("w")), settings(128), null);
    restoredModel = restore(run.artifact(), shared.resolve("restored.safetensors"));
  }

  /** Random weights; every output channel of a matrix gets its own scale, as BatchNorm folding gives. */
  private static void writeModel(java.nio.file.Path file, long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    try (OutputStream out = Files.newOutputStream(file);
        SafetensorsWriter w = new SafetensorsWriter(out, SPECS, new LinkedHashMap<>(SOURCE_METADATA))) {
      for (TensorSpec s : SPECS) {
        int n = (int) s.numElements();
        ByteBuffer b = ByteBuffer.allocate((int) s.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        if (s.dtype() == DType.I64) {
          for (int i = 0; i < n; i++) {
            b.putLong(rnd.nextLong());
          }
        } else if (s.dtype() == DType.F64) {
          for (int i = 0; i < n; i++) {
            b.putDouble(0.1 * rnd.nextGaussian()); // full double precision, not floats in disguise
          }
        } else {
          float[] v = new float[n];
          long rowLength = Math.max(1, s.rowLength());
          double scale = 1;
          for (int i = 0; i < n; i++) {
            if (i % rowLength == 0) {
              scale = Math.pow(10, rnd.nextDouble(-2, 0.5));
            }
            v[i] = (float) (scale * rnd.nextGaussian());
          }
          FloatCodec.encode(v, 0, n, s.dtype(), b);
        }
        w.writeTensor(s.name(), b.array());
      }
      w.finish();
    }
  }

  private LocalCompressor.Run compress(String work, long shardBytes, Long shuffleSeed) throws IOException {
    return LocalCompressor.compress(fs, model, hadoop(dir.resolve(work)), settings(shardBytes), shuffleSeed);
  }

  private static Map<String, StoredTensor> byName(List<StoredTensor> tensors) {
    Map<String, StoredTensor> m = new LinkedHashMap<>();
    tensors.forEach(t -> m.put(t.spec().name(), t));
    return m;
  }

  private static byte[] bytes(StoredTensor t) throws IOException {
    return SafetensorsReader.readTensor(fs, t).array();
  }

  /** Element values exactly as stored: doubles for F64, the dtype's value for the others. */
  private static double[] values(StoredTensor t) throws IOException {
    ByteBuffer b = SafetensorsReader.readTensor(fs, t);
    int n = (int) t.spec().numElements();
    double[] v = new double[n];
    if (t.spec().dtype() == DType.F64) {
      for (int i = 0; i < n; i++) {
        v[i] = b.getDouble(8 * i);
      }
      return v;
    }
    float[] f = new float[n];
    FloatCodec.decode(b, t.spec().dtype(), f, 0, n);
    for (int i = 0; i < n; i++) {
      v[i] = f[i];
    }
    return v;
  }

  /** Half the spacing of the dtype's values around {@code x}: what writing a float back in the dtype may add. */
  private static double dtypeHalfUlp(DType d, float x) {
    return switch (d) {
      case F16 -> Math.max(Math.ulp(x) * 0x1p12, 0x1p-25);
      case BF16 -> Math.ulp(x) * 0x1p15;
      default -> 0;
    };
  }

  private static Path restore(Path artifact, java.nio.file.Path file) throws IOException {
    Artifact a = Artifact.open(fs, artifact);
    a.verify();
    Path out = hadoop(file);
    DenseSafetensors.write(a, fs.create(out, true));
    return out;
  }

  // ---------------------------------------------------------------- round trip

  @Test
  void restoredModelHasTheOriginalNamesShapesDtypesAndMetadata() throws IOException {
    SafetensorsHeader h = SafetensorsReader.readHeader(fs, restoredModel);
    assertEquals(SPECS, h.specs());
    assertEquals(SOURCE_METADATA, h.metadata());
  }

  @Test
  void passthroughTensorsAreByteIdentical() throws IOException {
    Map<String, StoredTensor> original = byName(SafetensorsReader.tensors(fs, model));
    Map<String, StoredTensor> restored = byName(SafetensorsReader.tensors(fs, restoredModel));
    Manifest m = Artifact.open(fs, run.artifact()).manifest();
    List<String> kept = new ArrayList<>();
    for (TensorRecord t : m.tensors()) {
      if (t.isPassthrough()) {
        kept.add(t.spec().name());
        assertArrayEquals(bytes(original.get(t.spec().name())), bytes(restored.get(t.spec().name())), t.spec().name());
      }
    }
    assertEquals(List.of("conv.bias", "ln.weight", "position_ids"), kept);
  }

  @Test
  void codedTensorsAreWithinHalfAStepOfTheOriginals() throws IOException {
    Artifact a = Artifact.open(fs, run.artifact());
    Map<String, StoredTensor> original = byName(SafetensorsReader.tensors(fs, model));
    Map<String, StoredTensor> restored = byName(SafetensorsReader.tensors(fs, restoredModel));
    int coded = 0;
    for (TensorRecord t : a.manifest().tensors()) {
      if (t.isPassthrough()) {
        continue;
      }
      coded++;
      String name = t.spec().name();
      assertEquals(CodecKind.UNIFORM, t.codec());
      assertEquals(BITS, t.bits());
      TensorLayout layout = Artifact.layoutOf(t);
      assertEquals(t.spec().rows(), layout.channels(), name + " is coded per output channel");
      nnzip.codec.TensorCoder q = a.coder(t);
      float[] min = q.parameters().get(UniformCodec.MIN);
      float[] step = q.parameters().get(UniformCodec.STEP);
      double[] x = values(original.get(name));
      double[] y = values(restored.get(name));
      double[] channelMaxAbs = new double[layout.channels()];
      for (int i = 0; i < x.length; i++) {
        int c = layout.channelOf(i);
        channelMaxAbs[c] = Math.max(channelMaxAbs[c], Math.abs(x[i]));
      }
      for (int i = 0; i < x.length; i++) {
        int c = layout.channelOf(i);
        // The decoded float, written back in the dtype, may move by half the dtype's spacing; the
        // float arithmetic of encode/decode by a few ulps of the channel's largest magnitude.
        double tol = 4 * Math.ulp((float) channelMaxAbs[c]) + dtypeHalfUlp(t.spec().dtype(), (float) y[i]);
        assertTrue(Math.abs(x[i] - y[i]) <= step[c] / 2.0 + tol,
            name + "[" + i + "]: |" + x[i] + " − " + y[i] + "| > step/2 = " + step[c] / 2.0 + " + " + tol);
        assertTrue(y[i] >= min[c] - tol && y[i] <= min[c] + ((1 << BITS) - 1) * (double) step[c] + tol,
            name + "[" + i + "] outside its channel's levels");
      }
      // The codes entry holds exactly the packed codes of every element.
      assertEquals(BitPacking.packedBytes(t.spec().numElements(), BITS), a.entry(name + ".codes").spec().byteSize());
    }
    assertEquals(5, coded);
  }

  @Test
  void restoredValuesAreTheStoredCodesDecodedAndWrittenInTheOriginalDtype() throws IOException {
    Artifact a = Artifact.open(fs, run.artifact());
    Map<String, StoredTensor> restored = byName(SafetensorsReader.tensors(fs, restoredModel));
    for (TensorRecord t : a.manifest().tensors()) {
      if (t.isPassthrough()) {
        continue;
      }
      int n = (int) t.spec().numElements();
      int[] codes = new int[n];
      BitPacking.unpack(bytes(a.entry(t.spec().name() + ".codes")), 0, n, t.bits(), codes);
      float[] decoded = new float[n];
      a.coder(t).decode(codes, n, 0, decoded);
      ByteBuffer want = ByteBuffer.allocate((int) t.spec().byteSize());
      FloatCodec.encode(decoded, 0, n, t.spec().dtype(), want);
      assertArrayEquals(want.array(), bytes(restored.get(t.spec().name())), t.spec().name());
    }
  }

  @Test
  void manifestErrorsAgreeWithARecomputationFromTheOriginalAndRestoredModels() throws IOException {
    Artifact a = Artifact.open(fs, run.artifact());
    Map<String, StoredTensor> original = byName(SafetensorsReader.tensors(fs, model));
    Map<String, StoredTensor> restored = byName(SafetensorsReader.tensors(fs, restoredModel));
    for (TensorRecord t : a.manifest().tensors()) {
      String name = t.spec().name();
      if (t.isPassthrough()) {
        assertEquals(0, t.relativeMse(), name);
        assertEquals(0, t.maxAbsError(), name);
        continue;
      }
      int n = (int) t.spec().numElements();
      double[] x = values(original.get(name));
      double[] y = values(restored.get(name));
      // What the codec reconstructs, in float, before it is written back in the tensor's dtype.
      int[] codes = new int[n];
      BitPacking.unpack(bytes(a.entry(name + ".codes")), 0, n, t.bits(), codes);
      float[] decoded = new float[n];
      a.coder(t).decode(codes, n, 0, decoded);
      // The codec, and so the manifest, sees the values as floats (F64 is cast on the way in).
      double mean = 0;
      double meanCodec = 0;
      for (double v : x) {
        mean += v;
        meanCodec += (float) v;
      }
      mean /= n;
      meanCodec /= n;
      double variance = 0;
      double varianceCodec = 0;
      double sseCodec = 0; // the codec's input (x as float) against its output
      double sseRestored = 0; // the original file against the restored file
      double sseGap = 0; // how far apart those two error vectors are
      double maxRestored = 0;
      double maxGap = 0;
      for (int i = 0; i < n; i++) {
        variance += (x[i] - mean) * (x[i] - mean);
        varianceCodec += ((float) x[i] - meanCodec) * ((float) x[i] - meanCodec);
        double eCodec = (float) x[i] - (double) decoded[i];
        double eRestored = x[i] - y[i];
        sseCodec += eCodec * eCodec;
        sseRestored += eRestored * eRestored;
        sseGap += (eCodec - eRestored) * (eCodec - eRestored);
        maxRestored = Math.max(maxRestored, Math.abs(eRestored));
        maxGap = Math.max(maxGap, Math.abs(eCodec - eRestored));
      }
      variance /= n;
      varianceCodec /= n;
      if (t.spec().dtype() == DType.F32) {
        // The restored tensor is the decoded one, so both readings of "the error" coincide.
        assertEquals(sseCodec, sseRestored, 0, name);
        double rel = sseRestored / n / variance;
        // The header keeps these diagnostics to two significant digits: within 5% (half a unit of the
        // second digit, at most 0.05 of a value whose first digit is 1), plus F32's 2^-24.
        assertEquals(rel, t.relativeMse(), 0.05 * rel + 0x1p-24 * rel, name + " relative MSE");
        assertEquals(maxRestored, t.maxAbsError(), 0.05 * maxRestored + 0x1p-24 * maxRestored, name + " max |error|");
      }
      // Writing back in F16/BF16 (and the F64 → float cast on the way in) moves the error vector by
      // gap; by the triangle inequality the restored error differs from the manifest's by at most that.
      double rmsRestored = Math.sqrt(sseRestored / n);
      double rmsManifest = Math.sqrt(t.relativeMse() * varianceCodec);
      // (plus the manifest's two-digit rounding of the relative MSE: 5% relative, halved by the square root).
      assertEquals(rmsManifest, rmsRestored, Math.sqrt(sseGap / n) * (1 + 1e-9) + 0.026 * rmsManifest,
          name + " RMS error of the restored tensor");
      assertEquals(t.maxAbsError(), maxRestored, maxGap * (1 + 1e-9) + 0.051 * maxRestored,
          name + " max |error| of the restored tensor");
    }
  }

  @Test
  void codedEntriesHaveTheSizesTheFormatImplies() throws IOException {
    Artifact a = Artifact.open(fs, run.artifact());
    for (TensorRecord t : a.manifest().tensors()) {
      if (t.isPassthrough()) {
        assertEquals(t.spec().byteSize(), t.storedBytes(), t.spec().name());
        continue;
      }
      long codeBytes = BitPacking.packedBytes(t.spec().numElements(), BITS);
      // qmin and qstep per channel, F16 where the codec's rule allows it (both or neither), else F32.
      boolean half = t.entries().stream().anyMatch(StoredEntry::isHalfParameter);
      long paramBytes = 2L * (half ? 2 : Float.BYTES) * t.channels();
      assertEquals(codeBytes + paramBytes, t.storedBytes(), t.spec().name());
      String prefix = half ? StoredEntry.HALF_PARAM_PREFIX : StoredEntry.PARAM_PREFIX;
      assertEquals(List.of(StoredEntry.CODES, prefix + UniformCodec.MIN, prefix + UniformCodec.STEP),
          t.entries().stream().map(StoredEntry::role).toList(), t.spec().name());
    }
  }

  // ---------------------------------------------------------------- determinism

  private static byte[] fileBytes(Path p) throws IOException {
    return Files.readAllBytes(java.nio.file.Path.of(p.toUri()));
  }

  @Test
  void theArtifactIsByteIdenticalAcrossRunsAndShardCompletionOrders() throws IOException {
    byte[] first = fileBytes(run.artifact());
    assertArrayEquals(first, fileBytes(compress("again", 128, null).artifact()), "a second run");
    assertArrayEquals(first, fileBytes(compress("shuffled", 128, 3L).artifact()), "shards encoded in shuffled order");
  }

  @Test
  void theRestoredModelAndTheCodesDoNotDependOnTheShardSize() throws IOException {
    LocalCompressor.Run large = compress("large", 1 << 20, 5L);
    long small = run.shards().stream().filter(s -> !run.tasks().get(s.tensorIndex()).isPassthrough()).count();
    long big = large.shards().stream().filter(s -> !large.tasks().get(s.tensorIndex()).isPassthrough()).count();
    assertTrue(small > 5 * big, small + " small coded shards vs " + big + " large ones");
    Artifact a = Artifact.open(fs, run.artifact());
    Artifact b = Artifact.open(fs, large.artifact());
    for (TensorRecord t : a.manifest().tensors()) {
      for (StoredEntry e : t.entries()) {
        assertArrayEquals(bytes(b.entry(e.key())), bytes(a.entry(e.key())), e.key());
      }
    }
    StoredEntry conv = a.manifest().tensors().get(0).entries().get(0);
    assertEquals(7, conv.chunks().size(), "216 F32 elements in shards of 32: " + conv);
    assertEquals(1, b.manifest().tensors().get(0).entries().get(0).chunks().size());
    assertArrayEquals(fileBytes(restoredModel), fileBytes(restore(large.artifact(), dir.resolve("r.safetensors"))));
  }

  // ---------------------------------------------------------------- damage

  /**
   * A copy of the shared artifact that the test may damage. It is copied without Hadoop's
   * {@code .crc} side file, and read through the raw local file system, so only nnzip's own
   * SHA-256 chunks can notice the damage (as on object stores, which keep no client checksums).
   */
  private java.nio.file.Path damageableCopy() throws IOException {
    java.nio.file.Path copy = dir.resolve("copy.nnz.safetensors");
    Files.copy(java.nio.file.Path.of(run.artifact().toUri()), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  private static FileSystem raw() throws IOException {
    return FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()).getRawFileSystem();
  }

  static void flipByte(java.nio.file.Path file, long position) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, position);
      b.put(0, (byte) (b.get(0) ^ 0x10));
      b.rewind();
      ch.write(b, position);
    }
  }

  /**
   * Flips a byte in the middle of {@code key}'s stored bytes. A blob member's damage is caught on
   * open by the blob's digest; an entry of its own opens (sizes still agree) and fails verify, naming
   * it. Returns the opened artifact, or null when open refused it.
   */
  private Artifact damageAndCheck(String key) throws IOException {
    java.nio.file.Path copy = damageableCopy();
    Artifact intact = Artifact.open(raw(), hadoop(copy));
    StoredTensor entry = intact.entry(key);
    flipByte(copy, entry.offset() + entry.spec().byteSize() / 2);
    if (Format3Files.inBlob(intact, key)) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(raw(), hadoop(copy)));
      assertTrue(e.getMessage().contains("blob") && e.getMessage().contains("corrupt"), e.getMessage());
      return null;
    }
    Artifact a = Artifact.open(raw(), hadoop(copy));
    InvalidInputException e = assertThrows(InvalidInputException.class, a::verify);
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    return a;
  }

  @Test
  void aFlippedByteInACodesEntryIsCaught() throws IOException {
    damageAndCheck("fc.weight.codes");
    damageAndCheck("emb.weight.codes");
  }

  @Test
  void aFlippedByteInAPassthroughTensorFailsVerifyAndRestore() throws IOException {
    Artifact a = damageAndCheck("position_ids");
    if (a != null) {
      TensorRecord t = a.manifest().tensors().stream().filter(r -> r.spec().name().equals("position_ids")).findFirst()
          .orElseThrow();
      InvalidInputException r = assertThrows(InvalidInputException.class, () -> ArtifactRestorer.restoreToBytes(a, t));
      assertTrue(r.getMessage().contains("position_ids"), r.getMessage());
    }
  }

  @Test
  void aFlippedByteInThePackedHeaderOrTheGraphOrTheBlobIsCaughtOnOpen() throws IOException {
    for (String key : List.of(Manifest.PACKED_HEADER_KEY, Manifest.BLOB_KEY)) {
      java.nio.file.Path copy = damageableCopy();
      StoredTensor entry = Artifact.open(raw(), hadoop(copy)).header().tensors(copy.toString()).stream()
          .filter(t -> t.spec().name().equals(key)).findFirst().orElseThrow();
      flipByte(copy, entry.offset() + entry.spec().byteSize() / 2);
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(raw(), hadoop(copy)));
      assertTrue(e.getMessage().contains("corrupt"), key + ": " + e.getMessage());
    }
  }

  @Test
  void anUndamagedCopyVerifies() throws IOException {
    Artifact.open(raw(), hadoop(damageableCopy())).verify();
  }

  @Test
  void aTruncatedArtifactDoesNotOpen() throws IOException {
    java.nio.file.Path copy = damageableCopy();
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 5);
    }
    assertThrows(InvalidInputException.class, () -> Artifact.open(raw(), hadoop(copy)));
  }

  @Test
  void aPlainSafetensorsFileIsNotAnArtifact() {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, model));
    assertTrue(e.getMessage().contains("not an nnzip artifact"), e.getMessage());
  }

  /** Rewrites {@code artifact} as {@code name} with the same entries and another (re-digested) manifest. */
  private Path withManifest(Path artifact, Manifest manifest, String name) throws IOException {
    return Format3Files.withManifest(fs, artifact, manifest, dir.resolve(name));
  }

  /** The manifest with entry {@code key} replaced by {@code f} of it. */
  private static Manifest editEntry(Manifest m, String key, java.util.function.UnaryOperator<StoredEntry> f) {
    List<TensorRecord> tensors = new ArrayList<>();
    for (TensorRecord t : m.tensors()) {
      List<StoredEntry> entries = new ArrayList<>();
      for (StoredEntry e : t.entries()) {
        entries.add(e.key().equals(key) ? f.apply(e) : e);
      }
      tensors.add(new TensorRecord(t.spec(), t.codec(), t.bits(), t.scope(), t.channels(), t.channelAxis(), t.original(), t.relativeMse(),
          t.maxAbsError(), entries));
    }
    return new Manifest(m.formatVersion(), m.sourceFormat(), m.sourceMetadata(), m.graphKey(), tensors);
  }

  @Test
  void aManifestThatMisstatesAnEntrySizeIsRejected() throws IOException {
    Manifest m = Artifact.open(fs, run.artifact()).manifest();
    Path unchanged = withManifest(run.artifact(), m, "same.nnz.safetensors");
    Artifact.open(fs, unchanged).verify(); // the rewrite itself is sound
    Manifest lying = editEntry(m, "emb.weight.codes", e -> {
      List<Chunk> chunks = new ArrayList<>(e.chunks());
      Chunk c = chunks.get(0);
      chunks.set(0, new Chunk(c.bytes() + 1, c.sha256()));
      return new StoredEntry(e.key(), e.role(), chunks);
    });
    Path bad = withManifest(run.artifact(), lying, "bad.nnz.safetensors");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, bad));
    assertTrue(e.getMessage().contains("'emb.weight.codes'"), e.getMessage());
  }

  @Test
  void aManifestNamingAnEntryTheFileLacksIsRejected() throws IOException {
    Artifact a = Artifact.open(fs, run.artifact());
    Manifest m = a.manifest();
    // An entry of its own (a blob member is found by its place in the blob, whatever its name).
    String key = m.allEntries().stream().map(StoredEntry::key).filter(k -> !Format3Files.inBlob(a, k)).findFirst()
        .orElseThrow();
    Manifest renamed = editEntry(m, key, e -> new StoredEntry(key + ".renamed", e.role(), e.chunks()));
    Path bad = withManifest(run.artifact(), renamed, "bad.nnz.safetensors");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Artifact.open(fs, bad));
    assertTrue(e.getMessage().contains("'" + key + ".renamed'"), e.getMessage());
  }

  @Test
  void aManifestWhoseChannelCountDisagreesWithTheShapeIsRejected() throws IOException {
    Manifest m = Artifact.open(fs, run.artifact()).manifest();
    List<TensorRecord> tensors = new ArrayList<>(m.tensors());
    TensorRecord t = tensors.get(0);
    tensors.set(0, new TensorRecord(t.spec(), t.codec(), t.bits(), "tensor", t.channels(), t.channelAxis(), t.original(), t.relativeMse(),
        t.maxAbsError(), t.entries()));
    Path bad = withManifest(run.artifact(), new Manifest(m.formatVersion(), m.sourceFormat(), m.sourceMetadata(),
        m.graphKey(), tensors), "bad.nnz.safetensors");
    // Refused when opened (the bounds check rebuilds each coder) or at the latest when its coder is.
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> {
      Artifact a = Artifact.open(fs, bad);
      a.coder(a.manifest().tensors().get(0));
    });
    assertTrue(e.getMessage().contains("conv.weight") && e.getMessage().contains("8 channels"), e.getMessage());
  }
}
