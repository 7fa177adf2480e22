package nnzip.job;

import java.io.IOException;
import java.util.Map;
import java.io.InputStream;
import java.security.MessageDigest;
import nnzip.Digests;
import nnzip.Progress;
import nnzip.Version;
import nnzip.artifact.Provenance;
import nnzip.artifact.Artifact;
import nnzip.artifact.ArtifactWriter;
import nnzip.artifact.AtomicOutput;
import nnzip.artifact.EntropyCodedArtifact;
import nnzip.artifact.EntryData;
import nnzip.artifact.Manifest;
import nnzip.io.HadoopFiles;
import nnzip.io.ModelSource;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The frame every compress job shares: open the model under a temporary output directory, let the
 * job's passes plan the artifact, then stream it together, re-open and verify it, and rename it into
 * place. A failure anywhere leaves no output and an existing one untouched.
 */
final class ArtifactJob {
  private ArtifactJob() {}

  /** What a job's passes produce: the manifest and where each stored entry's bytes come from. */
  record Plan(Manifest manifest, Map<String, EntryData> data) {}

  /** A job's passes over an opened source; scratch and part files go under {@code tempDir}. */
  interface Passes {
    Plan run(ModelSource source, Path tempDir) throws IOException;
  }

  /**
   * SHA-256 over the source's files in reading order (one file: its own SHA-256), read on the
   * driver: the provenance and the model zoo's "unchanged" check need the exact bytes.
   */
  static String sourceDigest(FileSystem fs, ModelSource source) throws IOException {
    MessageDigest d = Digests.sha256();
    byte[] buf = new byte[1 << 20];
    for (String f : source.files()) {
      Path p = new Path(f);
      try (InputStream in = p.getFileSystem(fs.getConf()).open(p)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          d.update(buf, 0, n);
        }
      }
    }
    return Digests.hex(d.digest());
  }

  /**
   * The provenance's digest of {@code source}: {@code known} when it covers as many bytes as the
   * source's files now hold (a stat per file), else read here.
   *
   * @param known the digest the caller computed before the job, or null
   */
  static String sourceDigest(FileSystem fs, ModelSource source, KnownDigest known) throws IOException {
    if (known != null) {
      long bytes = 0;
      for (String f : source.files()) {
        Path p = new Path(f);
        bytes += p.getFileSystem(fs.getConf()).getFileStatus(p).getLen();
      }
      if (bytes == known.bytes() && !source.files().isEmpty()) {
        return known.sha256();
      }
    }
    return sourceDigest(fs, source);
  }

  /**
   * Runs a job's passes over {@code in} and commits the artifact.
   *
   * @param origin the model the user gave, when {@code in} is an intermediate made from it (pruned or
   *     trained): the provenance and the ratio name its bytes; null when {@code in} is it
   * @param originDigest the digest of the model the provenance names (origin, else in) when the caller
   *     already has it (the zoo's skip check), else null: digested here
   */
  static CompressJob.Result run(String in, String origin, KnownDigest originDigest, String out, boolean overwrite,
      String recipe, nnzip.compress.CompressionSettings.CodeStreams streams, Progress progress, Passes passes)
      throws IOException {
    long start = System.nanoTime();
    Path inPath = HadoopFiles.qualify(in);
    Path outPath = HadoopFiles.qualify(out);
    FileSystem inFs = HadoopFiles.fileSystem(inPath.toString());
    FileSystem outFs = HadoopFiles.fileSystem(outPath.toString());
    AtomicOutput.checkWritable(outFs, outPath, overwrite);
    try (AtomicOutput output = AtomicOutput.create(outFs, outPath, overwrite)) {
      ModelSource source = ModelSource.open(inFs, inPath, output.tempDir());
      Plan plan = passes.run(source, output.tempDir());
      Path staging = output.stagingFile();
      Path packed = streams == nnzip.compress.CompressionSettings.CodeStreams.CABAC ? new Path(output.tempDir(), "packed.nnz.safetensors") : staging;
      progress.report("assembling " + staging.getName());
      Provenance provenance;
      long sourceBytes;
      if (origin == null || HadoopFiles.qualify(origin).equals(inPath)) {
        provenance = new Provenance(Version.version(), Version.commit(), inPath.toUri().toString(),
            source.sourceBytes(), sourceDigest(inFs, source, originDigest), recipe);
        sourceBytes = source.sourceBytes();
      } else {
        Path originPath = HadoopFiles.qualify(origin);
        FileSystem originFs = HadoopFiles.fileSystem(originPath.toString());
        ModelSource given = ModelSource.open(originFs, originPath, new Path(output.tempDir(), "origin"));
        provenance = new Provenance(Version.version(), Version.commit(), originPath.toUri().toString(),
            given.sourceBytes(), sourceDigest(originFs, given, originDigest), recipe);
        sourceBytes = given.sourceBytes();
      }
      ArtifactWriter.write(outFs, packed, plan.manifest(), provenance, plan.data());
      Artifact written = Artifact.open(outFs, packed);
      if (streams == nnzip.compress.CompressionSettings.CodeStreams.CABAC) {
        written.verify();
        EntropyCodedArtifact.write(written, outFs, staging, progress);
        written = Artifact.open(outFs, staging);
      }
      written.verify();
      long artifactBytes = written.fileSize();
      output.commit();
      double seconds = (System.nanoTime() - start) / 1e9;
      progress.report(String.format("wrote %s (%s) in %.1f s", out, Units.bytes(artifactBytes), seconds));
      return new CompressJob.Result(written.manifest(), written.provenance(), sourceBytes, artifactBytes, seconds);
    }
  }
}
