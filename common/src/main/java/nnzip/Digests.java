package nnzip;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 helpers shared by the readers, the compress passes and the artifact (kept here, not in
 * one of those packages, so none of them imports another for a digest).
 */
public final class Digests {
  /** Bytes of a SHA-256 digest. */
  public static final int SHA256_BYTES = 32;

  private Digests() {}

  /** A fresh SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** SHA-256 of a byte array. */
  public static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  /** Lower-case hex of a digest. */
  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** Bytes of a lower-case or upper-case hex string. */
  public static byte[] unhex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
