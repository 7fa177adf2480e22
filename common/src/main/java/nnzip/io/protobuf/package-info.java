/**
 * The protocol buffers wire format, read and written field by field with no schema and no
 * library: what the ONNX path needs so that {@code decompress}, {@code dial} and the device dialer
 * run the same code without the protobuf runtime.
 */
package nnzip.io.protobuf;
