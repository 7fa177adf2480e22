/**
 * ONNX models as weight containers: {@link nnzip.io.onnx.OnnxWeights} finds every weight tensor
 * (graph initializers, {@code Constant} nodes, nested If/Loop/Scan subgraphs, external data files)
 * under a unique, stable key, reads its raw little-endian bytes, and produces the stripped graph
 * that a compressed artifact stores instead of the original file; {@link
 * nnzip.io.onnx.OnnxWeightWriter} puts weights back in their original places. Uses the ONNX
 * protobuf classes bundled in nd4j-api (package {@code onnx}); files go through the Hadoop
 * FileSystem API via {@link nnzip.io.onnx.OnnxModelFile}.
 */
package nnzip.io.onnx;
