/** Model file formats (safetensors, ONNX) read and written through the Hadoop FileSystem API. */
package nnzip.io;
