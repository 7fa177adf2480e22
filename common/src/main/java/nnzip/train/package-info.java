/**
 * Reference models trained by nnzip itself (Debian ships none): an immutable multilayer
 * perceptron value ({@link nnzip.train.Mlp}) with a plain-Java forward pass, its SameDiff trainer
 * ({@link nnzip.train.MlpTrainer}) and a standard ONNX writer ({@link nnzip.train.MlpOnnxExporter}).
 * Randomness comes from {@link java.util.SplittableRandom} with explicit seeds, never from ND4J's
 * generator, whose seeding was not reproducible.
 */
package nnzip.train;
