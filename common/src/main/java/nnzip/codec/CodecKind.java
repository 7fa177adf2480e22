package nnzip.codec;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import nnzip.codec.uniform.UniformCodec;

/**
 * The codecs a recipe can name, and the one place that maps a manifest's codec to the code that
 * reads it: {@link #restore} rebuilds a stored tensor's {@link TensorCoder} from its parameters.
 * Config strings become this enum at the edge; the manifest stores its label.
 */
public enum CodecKind {
  /** Min–max linear quantization. */
  UNIFORM,
  /** Optimal scalar quantization by dynamic programming (exact 1-D k-means). */
  DP,
  /** Shared additive quantization of d-dimensional subvectors (a vector codec, see nnzip.codec.aq). */
  AQ {
    @Override
    public TensorCoder restore(nnzip.tensor.TensorSpec spec, int bits, TensorLayout layout,
        java.util.Map<String, float[]> params) {
      return nnzip.codec.aq.AqTensorCoder.restore(spec, bits, params);
    }
  },
  /** IEEE binary16, each value on its own (BatchNorm statistics; see nnzip.codec.half). */
  HALF,
  /** Keep every tensor as it is (a baseline and a format check). */
  PASSTHROUGH;

  /**
   * The coder of a stored tensor, rebuilt from its parameters as read back from an artifact.
   *
   * @param layout the grouping the tensor was coded with (scalar codecs' per-channel parameters)
   * @throws nnzip.InvalidInputException if a parameter is missing, has the wrong length or the
   *     bits are outside the codec's range
   */
  public TensorCoder restore(nnzip.tensor.TensorSpec spec, int bits, TensorLayout layout,
      java.util.Map<String, float[]> params) {
    ScalarCodec codec;
    try {
      codec = create(bits);
    } catch (IllegalArgumentException e) {
      throw new nnzip.InvalidInputException("tensor '" + spec.name() + "': " + e.getMessage());
    }
    if (codec == null) {
      throw new nnzip.InvalidInputException("tensor '" + spec.name() + "' is stored as it is; it has no codes");
    }
    return codec.restore(layout, params);
  }

  /** The scalar codec at {@code bits} bits, or null for passthrough and for the vector codec aq. */
  public ScalarCodec create(int bits) {
    return switch (this) {
      case UNIFORM -> new UniformCodec(bits);
      case DP -> new nnzip.codec.dp.DpCodec(bits);
      case HALF -> {
        if (bits != 16) {
          throw new IllegalArgumentException("half codes are 16 bits, got " + bits);
        }
        yield new nnzip.codec.half.HalfCodec();
      }
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
