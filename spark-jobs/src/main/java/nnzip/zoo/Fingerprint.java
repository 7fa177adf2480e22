package nnzip.zoo;

import java.util.Objects;

/**
 * What a model's artifact depends on, as digests: an artifact made from the same fingerprint is the
 * same bytes (the compress path is deterministic), so the zoo skips it.
 *
 * @param sourceSha256 SHA-256 over the source's files in reading order (as the artifact's provenance)
 * @param recipeSha256 SHA-256 of the resolved recipe as the artifact stores it, plus the data set
 * @param nnzipVersion the nnzip release version
 * @param gitCommit the git commit of the nnzip build
 */
public record Fingerprint(String sourceSha256, String recipeSha256, String nnzipVersion, String gitCommit) {
  public Fingerprint {
    Objects.requireNonNull(sourceSha256, "sourceSha256");
    Objects.requireNonNull(recipeSha256, "recipeSha256");
    Objects.requireNonNull(nnzipVersion, "nnzipVersion");
    Objects.requireNonNull(gitCommit, "gitCommit");
  }

  /**
   * Why a model with this fingerprint must run again after a last good run with {@code last}, or
   * {@link Reason#UNCHANGED}.
   *
   * @param last the fingerprint of the model's last ok or skipped run, or null if it had none
   * @param artifactExists whether the model's artifact is where the zoo puts it
   */
  public Reason against(Fingerprint last, boolean artifactExists) {
    if (last == null) {
      return Reason.NEW;
    }
    if (!sourceSha256.equals(last.sourceSha256)) {
      return Reason.SOURCE_CHANGED;
    }
    if (!recipeSha256.equals(last.recipeSha256)) {
      return Reason.RECIPE_CHANGED;
    }
    if (!nnzipVersion.equals(last.nnzipVersion) || !gitCommit.equals(last.gitCommit)) {
      return Reason.VERSION_CHANGED;
    }
    return artifactExists ? Reason.UNCHANGED : Reason.ARTIFACT_MISSING;
  }
}
