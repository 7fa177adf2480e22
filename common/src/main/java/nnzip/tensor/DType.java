package nnzip.tensor;

import java.util.Locale;
import nnzip.InvalidInputException;

/**
 * Element types of the safetensors format. Floating types can be compressed; integer and boolean
 * tensors are always passed through unchanged.
 */
public enum DType {
  F64(8, true),
  F32(4, true),
  F16(2, true),
  BF16(2, true),
  I64(8, false),
  I32(4, false),
  I16(2, false),
  I8(1, false),
  U64(8, false),
  U32(4, false),
  U16(2, false),
  U8(1, false),
  BOOL(1, false);

  private final int byteSize;
  private final boolean floating;

  DType(int byteSize, boolean floating) {
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** True for F64, F32, F16 and BF16: the types a codec may compress. */
  public boolean isFloating() {
    return floating;
  }

  /** The name used in safetensors headers ("F32", "BF16", ...). */
  public String safetensorsName() {
    return name();
  }

  /**
   * Parses a safetensors dtype name.
   *
   * @throws InvalidInputException if the name is not a known dtype
   */
  public static DType fromSafetensors(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException("unknown dtype '" + name + "'");
    }
  }
}
