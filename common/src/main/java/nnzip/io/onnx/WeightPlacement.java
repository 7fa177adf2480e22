package nnzip.io.onnx;

/** Which graph element holds a weight; whether that graph is nested is told by the key's scope. */
public enum WeightPlacement {
  /** An entry of a graph's {@code initializer} list. */
  INITIALIZER,
  /** The {@code value} tensor attribute of a {@code Constant} node. */
  CONSTANT_NODE
}
