package nnzip.job;

import java.util.Objects;

/**
 * A source's SHA-256 as its artifact's provenance stores it (over the source's files in reading
 * order), computed before the job, e.g. by the model zoo's skip check: the job then does not read
 * the source a second time for it. Only the size is checked again, so a source rewritten at the same
 * size between the digest and the job keeps its earlier digest (the zoo's next check sees the new
 * bytes and runs the model again).
 *
 * @param sha256 lower-case hex SHA-256 over the source's files
 * @param bytes how many bytes it covers; a job whose source has another size digests it again
 */
public record KnownDigest(String sha256, long bytes) {
  public KnownDigest {
    Objects.requireNonNull(sha256, "sha256");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes " + bytes + " < 0");
    }
  }
}
