package nnzip.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nnzip.InvalidInputException;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorProtoOrBuilder;

/**
 * Reads, checks and clears the element bytes that a TensorProto holds itself (raw_data or the
 * typed fields). Typed fields follow onnx.proto: float_data for FLOAT; double_data for DOUBLE;
 * int64_data for INT64; uint64_data for UINT32 and UINT64; int32_data for INT32, INT16, INT8,
 * UINT16, UINT8, BOOL, and the bit patterns of FLOAT16 and BFLOAT16.
 */
final class TensorBytes {
  private TensorBytes() {}

  /** The spec a tensor's dims and data type describe, under {@code key}. */
  static TensorSpec spec(String key, DType dtype, TensorProtoOrBuilder t) {
    long[] shape = new long[t.getDimsCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.getDims(i);
    }
    return new TensorSpec(key, dtype, shape);
  }

  /** Where a tensor of element type {@code dtype} keeps its elements. */
  static WeightStorage storage(TensorProtoOrBuilder t, DType dtype) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return WeightStorage.EXTERNAL;
    }
    return t.getRawData().isEmpty() && typedCount(t, dtype) > 0 ? WeightStorage.TYPED_FIELDS : WeightStorage.RAW_DATA;
  }

  /**
   * Checks that a tensor stored in the proto holds exactly {@code spec.numElements()} elements.
   *
   * @throws InvalidInputException naming the tensor if raw_data or a typed field has the wrong size
   */
  static void check(TensorProtoOrBuilder t, TensorSpec spec) {
    long n = spec.numElements();
    if (!t.getRawData().isEmpty() || n == 0) {
      long expected = spec.byteSize();
      if (t.getRawData().size() != expected) {
        throw new InvalidInputException("tensor '" + spec.name() + "': raw_data holds " + t.getRawData().size()
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
  static byte[] read(TensorProtoOrBuilder t, TensorSpec spec) {
    if (!t.getRawData().isEmpty() || spec.numElements() == 0) {
      return t.getRawData().toByteArray();
    }
    int n = (int) spec.numElements();
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, spec.dtype().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (spec.dtype()) {
        case F32 -> b.putFloat(t.getFloatData(i));
        case F64 -> b.putDouble(t.getDoubleData(i));
        case I64 -> b.putLong(t.getInt64Data(i));
        case U64 -> b.putLong(t.getUint64Data(i));
        case U32 -> b.putInt((int) t.getUint64Data(i));
        case I32 -> b.putInt(t.getInt32Data(i));
        case F16, BF16, I16, U16 -> b.putShort((short) t.getInt32Data(i));
        case I8, U8, BOOL -> b.put((byte) t.getInt32Data(i));
      }
    }
    return b.array();
  }

  /** Removes every trace of the elements: raw_data, typed fields, external data and its location. */
  static void clear(TensorProto.Builder t) {
    t.clearRawData()
        .clearFloatData()
        .clearDoubleData()
        .clearInt32Data()
        .clearInt64Data()
        .clearUint64Data()
        .clearExternalData()
        .clearDataLocation();
  }

  private static int typedCount(TensorProtoOrBuilder t, DType dtype) {
    return switch (dtype) {
      case F32 -> t.getFloatDataCount();
      case F64 -> t.getDoubleDataCount();
      case I64 -> t.getInt64DataCount();
      case U32, U64 -> t.getUint64DataCount();
      default -> t.getInt32DataCount();
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
