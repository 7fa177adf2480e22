package nnzip.io.onnx;

import java.util.Optional;
import nnzip.tensor.DType;
import onnx.Onnx.TensorProto.DataType;

/**
 * Maps ONNX {@code TensorProto.DataType} codes to nnzip element types. The thirteen numeric and
 * boolean types map one to one; STRING, COMPLEX64, COMPLEX128, UNDEFINED and codes unknown to the
 * bundled onnx classes (FLOAT8*, INT4, …) have no {@link DType}: such tensors are not weights.
 */
public final class OnnxDataTypes {
  private OnnxDataTypes() {}

  /**
   * The nnzip element type of an ONNX data type code.
   *
   * @param onnxDataType the {@code data_type} field of a TensorProto
   * @return the element type, or empty when the type holds no plain numbers
   */
  public static Optional<DType> toDType(int onnxDataType) {
    DType t =
        switch (onnxDataType) {
          case DataType.FLOAT_VALUE -> DType.F32;
          case DataType.DOUBLE_VALUE -> DType.F64;
          case DataType.FLOAT16_VALUE -> DType.F16;
          case DataType.BFLOAT16_VALUE -> DType.BF16;
          case DataType.INT64_VALUE -> DType.I64;
          case DataType.INT32_VALUE -> DType.I32;
          case DataType.INT16_VALUE -> DType.I16;
          case DataType.INT8_VALUE -> DType.I8;
          case DataType.UINT64_VALUE -> DType.U64;
          case DataType.UINT32_VALUE -> DType.U32;
          case DataType.UINT16_VALUE -> DType.U16;
          case DataType.UINT8_VALUE -> DType.U8;
          case DataType.BOOL_VALUE -> DType.BOOL;
          default -> null;
        };
    return Optional.ofNullable(t);
  }

  /**
   * The ONNX data type code of an nnzip element type.
   *
   * @param dtype any element type
   * @return the {@code TensorProto.DataType} number
   */
  public static int toOnnx(DType dtype) {
    return switch (dtype) {
      case F32 -> DataType.FLOAT_VALUE;
      case F64 -> DataType.DOUBLE_VALUE;
      case F16 -> DataType.FLOAT16_VALUE;
      case BF16 -> DataType.BFLOAT16_VALUE;
      case I64 -> DataType.INT64_VALUE;
      case I32 -> DataType.INT32_VALUE;
      case I16 -> DataType.INT16_VALUE;
      case I8 -> DataType.INT8_VALUE;
      case U64 -> DataType.UINT64_VALUE;
      case U32 -> DataType.UINT32_VALUE;
      case U16 -> DataType.UINT16_VALUE;
      case U8 -> DataType.UINT8_VALUE;
      case BOOL -> DataType.BOOL_VALUE;
    };
  }

  /** A readable name for a data type code, e.g. "COMPLEX64" or "type 17" when unknown. */
  static String name(int onnxDataType) {
    DataType t = DataType.forNumber(onnxDataType);
    return t == null ? "type " + onnxDataType : t.name();
  }
}
