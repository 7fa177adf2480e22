package nnzip.io.onnx;

import java.util.Optional;
import nnzip.tensor.DType;

/**
 * Maps ONNX {@code TensorProto.DataType} codes to nnzip element types. The thirteen numeric and
 * boolean types map one to one; STRING, COMPLEX64, COMPLEX128, UNDEFINED and the codes after
 * BFLOAT16 (FLOAT8*, INT4, …) have no {@link DType}: such tensors are not weights. The codes are
 * onnx.proto's, written out so the restore path needs no generated protobuf classes.
 */
public final class OnnxDataTypes {
  private OnnxDataTypes() {}

  /** onnx.proto's names of the codes 0..16, indexed by code. */
  private static final String[] NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
      "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  private static final int FLOAT = 1;
  private static final int UINT8 = 2;
  private static final int INT8 = 3;
  private static final int UINT16 = 4;
  private static final int INT16 = 5;
  private static final int INT32 = 6;
  private static final int INT64 = 7;
  private static final int BOOL = 9;
  private static final int FLOAT16 = 10;
  private static final int DOUBLE = 11;
  private static final int UINT32 = 12;
  private static final int UINT64 = 13;
  private static final int BFLOAT16 = 16;

  /**
   * The nnzip element type of an ONNX data type code.
   *
   * @param onnxDataType the {@code data_type} field of a TensorProto
   * @return the element type, or empty when the type holds no plain numbers
   */
  public static Optional<DType> toDType(int onnxDataType) {
    DType t =
        switch (onnxDataType) {
          case FLOAT -> DType.F32;
          case DOUBLE -> DType.F64;
          case FLOAT16 -> DType.F16;
          case BFLOAT16 -> DType.BF16;
          case INT64 -> DType.I64;
          case INT32 -> DType.I32;
          case INT16 -> DType.I16;
          case INT8 -> DType.I8;
          case UINT64 -> DType.U64;
          case UINT32 -> DType.U32;
          case UINT16 -> DType.U16;
          case UINT8 -> DType.U8;
          case BOOL -> DType.BOOL;
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
      case F32 -> FLOAT;
      case F64 -> DOUBLE;
      case F16 -> FLOAT16;
      case BF16 -> BFLOAT16;
      case I64 -> INT64;
      case I32 -> INT32;
      case I16 -> INT16;
      case I8 -> INT8;
      case U64 -> UINT64;
      case U32 -> UINT32;
      case U16 -> UINT16;
      case U8 -> UINT8;
      case BOOL -> BOOL;
    };
  }

  /** A readable name for a data type code, e.g. "COMPLEX64" or "type 17" when unknown. */
  static String name(int onnxDataType) {
    return onnxDataType >= 0 && onnxDataType < NAMES.length ? NAMES[onnxDataType] : "type " + onnxDataType;
  }
}
