package nnzip.codec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import nnzip.codec.uniform.UniformCodec;

/** The codecs a recipe can name; config strings become this enum at the edge. */
public enum CodecKind {
  /** Min–max linear quantization. */
  UNIFORM,
  /** Optimal scalar quantization by dynamic programming (exact 1-D k-means). */
  DP,
  /** Shared additive quantization of d-dimensional subvectors (a vector codec, see nnzip.codec.aq). */
  AQ,
  /** Keep every tensor as it is (a baseline and a format check). */
  PASSTHROUGH;

  /** The scalar codec at {@code bits} bits, or null for passthrough and for the vector codec aq. */
  public ScalarCodec create(int bits) {
    return switch (this) {
      case UNIFORM -> new UniformCodec(bits);
      case DP -> new nnzip.codec.dp.DpCodec(bits);
      case PASSTHROUGH, AQ -> null;
    };
  }

  /** Lower-case name as written in recipes and manifests. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a recipe's codec name.
   *
   * @throws IllegalArgumentException naming the valid codecs
   */
  public static CodecKind parse(String name) {
    for (CodecKind k : values()) {
      if (k.label().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown codec '" + name + "'; valid: "
        + Arrays.stream(values()).map(CodecKind::label).collect(Collectors.joining(", ")));
  }
}
