package nnzip.artifact;

import java.util.Objects;

/**
 * Where an artifact came from, stored in every format 3 artifact: which nnzip made it, from which
 * exact source bytes, with which recipe. The model zoo compares these to decide what is unchanged.
 *
 * @param nnzipVersion release version of the nnzip that wrote the artifact
 * @param gitCommit git commit of that build, or {@code unknown}
 * @param sourceUri absolute URI of the source model (file, directory or sharded index)
 * @param sourceBytes total bytes of the source model's files, ≥ 0
 * @param sourceSha256 lower-case hex SHA-256 over the source files' bytes, in the order the reader
 *     reads them (one file: that file's SHA-256)
 * @param recipe the recipe as resolved: HOCON text of the keys whose values differ from the
 *     {@code reference.conf} of the nnzip version named here, after a first line {@code # over
 *     reference.conf} (earlier builds stored every key, without that line)
 */
public record Provenance(String nnzipVersion, String gitCommit, String sourceUri, long sourceBytes,
    String sourceSha256, String recipe) {
  public Provenance {
    Objects.requireNonNull(nnzipVersion, "nnzipVersion");
    Objects.requireNonNull(gitCommit, "gitCommit");
    Objects.requireNonNull(sourceUri, "sourceUri");
    Objects.requireNonNull(sourceSha256, "sourceSha256");
    Objects.requireNonNull(recipe, "recipe");
    if (sourceBytes < 0) {
      throw new IllegalArgumentException("negative source size " + sourceBytes);
    }
  }
}
