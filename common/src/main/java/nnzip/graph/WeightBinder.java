package nnzip.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Decides how each floating-point weight of an ONNX graph (initializer or {@code Constant} node
 * output, keyed as {@link nnzip.io.onnx.OnnxWeights} keys them) enters the SameDiff graph: as a
 * trainable variable, as a constant, or as an expression of other trainable parameters (the
 * codebooks and levels of a compressed weight, for finetuning).
 */
@FunctionalInterface
public interface WeightBinder {
  /** Every weight becomes a trainable variable named after its key. */
  WeightBinder VARIABLES = (sd, key, value) -> sd.var(OnnxGraphImporter.variableName(key), value);

  /** Every weight becomes a constant (inference only). */
  WeightBinder CONSTANTS = (sd, key, value) -> sd.constant(OnnxGraphImporter.variableName(key), value);

  /**
   * The SameDiff variable standing for one weight.
   *
   * @param sd the graph being built
   * @param key the weight's key (the initializer's name, or the Constant node's output name); the
   *     variable's name must be {@link OnnxGraphImporter#variableName}(key)
   * @param value the stored value, FLOAT, in the ONNX shape
   * @return a variable of {@code value}'s shape and FLOAT type
   */
  SDVariable bind(SameDiff sd, String key, INDArray value);
}
