/** Min–max uniform quantization, the baseline codec. */
package nnzip.codec.uniform;
