package nnzip.graph;

import onnx.Onnx.ModelProto;

/**
 * Maps an ONNX graph to SameDiff, operator by operator. Supported: Gemm, MatMul, Add, Mul, Conv,
 * Relu, LeakyRelu, Sigmoid, Tanh, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
 * Flatten, Reshape, Concat, Dropout, Softmax, Identity. Any other operator is an {@link
 * nnzip.InvalidInputException} naming it and its node.
 */
public final class OnnxGraphImporter {
  private OnnxGraphImporter() {}

  /**
   * Imports a single-input classifier.
   *
   * @throws nnzip.InvalidInputException naming the op and node for an unsupported operator or
   *     attribute value, or the input when the graph has not exactly one FLOAT input
   */
  public static ImportedGraph load(ModelProto model, WeightBinder binder, GraphMode mode) {
    throw new UnsupportedOperationException("importer: being written");
  }
}
