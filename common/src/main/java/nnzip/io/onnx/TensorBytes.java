package nnzip.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import nnzip.io.onnx.OnnxProto.Tensor;

/**
 * Reads, checks and clears the element bytes that a TensorProto holds itself (raw_data or the
 * typed fields). Typed fields follow onnx.proto: float_data for FLOAT; double_data for DOUBLE;
 * int64_data for INT64; uint64_data for UINT32 and UINT64; int32_data for INT32, INT16, INT8,
 * UINT16, UINT8, BOOL, and the bit patterns of FLOAT16 and BFLOAT16.
 */
final class TensorBytes {
  private TensorBytes() {}

  /** The spec a tensor's dims and data type describe, under {@code key}. */
  static TensorSpec spec(String key, DType dtype, Tensor t) {
    return new TensorSpec(key, dtype, t.dims());
  }

  /** Where a tensor of element type {@code dtype} keeps its elements. */
  static WeightStorage storage(Tensor t, DType dtype) {
    if (t.getDataLocation() == OnnxProto.EXTERNAL) {
      return WeightStorage.EXTERNAL;
    }
    return !t.hasRawData() && typedCount(t, dtype) > 0 ? WeightStorage.TYPED_FIELDS : WeightStorage.RAW_DATA;
  }

  /**
   * Checks that a tensor stored in the proto holds exactly {@code spec.numElements()} elements.
   *
   * @throws InvalidInputException naming the tensor if raw_data or a typed field has the wrong size
   */
  static void check(Tensor t, TensorSpec spec) {
    long n = spec.numElements();
    if (t.hasRawData() || n == 0) {
      long expected = spec.byteSize();
      if (t.rawDataSize() != expected) {
        throw new InvalidInputException("tensor '" + spec.name() + "': raw_data holds " + t.rawDataSize()
            + " bytes, expected " + expected + " (" + n + " elements of " + spec.dtype() + ")");
      }
      return;
    }
    int count = typedCount(t, spec.dtype());
    if (count != n) {
      throw new InvalidInputException("tensor '" + spec.name() + "': " + fieldName(spec.dtype()) + " holds "
          + count + " elements, expected " + n + (count == 0 ? " (the tensor has no data)" : ""));
    }
  }

  /**
   * The little-endian element bytes of a tensor already {@link #check checked} against {@code spec}.
   *
   * @return a new array of {@code spec.byteSize()} bytes
   */
  static byte[] read(Tensor t, TensorSpec spec) {
    if (t.hasRawData() || spec.numElements() == 0) {
      ByteBuffer raw = t.getRawData();
      byte[] out = new byte[raw.remaining()];
      raw.get(out);
      return out;
    }
    int n = (int) spec.numElements();
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, spec.dtype().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    switch (spec.dtype()) {
      case F32 -> {
        for (float v : t.floatData()) {
          b.putFloat(v);
        }
      }
      case F64 -> {
        for (double v : t.doubleData()) {
          b.putDouble(v);
        }
      }
      case I64 -> {
        for (long v : t.int64Data()) {
          b.putLong(v);
        }
      }
      case U64 -> {
        for (long v : t.uint64Data()) {
          b.putLong(v);
        }
      }
      case U32 -> {
        for (long v : t.uint64Data()) {
          b.putInt((int) v);
        }
      }
      case I32 -> {
        for (long v : t.int32Data()) {
          b.putInt((int) v);
        }
      }
      case F16, BF16, I16, U16 -> {
        for (long v : t.int32Data()) {
          b.putShort((short) v);
        }
      }
      case I8, U8, BOOL -> {
        for (long v : t.int32Data()) {
          b.put((byte) v);
        }
      }
    }
    return b.array();
  }

  /** Removes every trace of the elements: raw_data, typed fields, external data and its location. */
  static void clear(Tensor t) {
    t.clearData();
  }

  private static int typedCount(Tensor t, DType dtype) {
    return switch (dtype) {
      case F32 -> t.floatData().length;
      case F64 -> t.doubleData().length;
      case I64 -> t.int64Data().length;
      case U32, U64 -> t.uint64Data().length;
      default -> t.int32Data().length;
    };
  }

  private static String fieldName(DType dtype) {
    return switch (dtype) {
      case F32 -> "float_data";
      case F64 -> "double_data";
      case I64 -> "int64_data";
      case U32, U64 -> "uint64_data";
      default -> "int32_data";
    };
  }
}
