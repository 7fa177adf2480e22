package nnzip.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import nnzip.Digests;
import nnzip.io.HadoopFiles;
import nnzip.io.ModelSource;
import nnzip.zoo.ZooFixtures;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provenance's source digest: a digest the caller already has is used when it covers the source's bytes. */
class ArtifactJobTest {
  @TempDir Path dir;

  @Test
  void aKnownDigestIsUsedOnlyWhenItCoversAsManyBytesAsTheSourceHolds() throws Exception {
    Path model = ZooFixtures.model(dir.resolve("m.safetensors"), 3);
    FileSystem fs = HadoopFiles.fileSystem(model.toString());
    ModelSource source = ModelSource.open(fs, HadoopFiles.qualify(model.toString()),
        HadoopFiles.qualify(dir.resolve("scratch").toString()));
    String sha = Digests.hex(Digests.sha256(Files.readAllBytes(model)));
    long size = Files.size(model);
    // A stand-in value: returned as is, so the source was not read for it.
    String known = "ab".repeat(32);
    assertEquals(known, ArtifactJob.sourceDigest(fs, source, new KnownDigest(known, size)));
    assertEquals(sha, ArtifactJob.sourceDigest(fs, source, new KnownDigest(known, size + 1)), "another size: read");
    assertEquals(sha, ArtifactJob.sourceDigest(fs, source, null));
  }
}
