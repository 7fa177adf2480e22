package nnzip.io.onnx;

/** Where a weight's element bytes are stored in the original model. */
public enum WeightStorage {
  /** The tensor's {@code raw_data} bytes (little-endian), also used for tensors with no elements. */
  RAW_DATA,
  /** The typed repeated fields ({@code float_data}, {@code int32_data}, {@code int64_data}, …). */
  TYPED_FIELDS,
  /** A byte range of a file next to the model ({@code data_location = EXTERNAL}). */
  EXTERNAL
}
