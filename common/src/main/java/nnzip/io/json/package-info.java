/**
 * Strict JSON reading with no library: what artifact headers, safetensors headers and subspace
 * descriptors are read with, so the device dialer needs no Jackson on its class path.
 */
package nnzip.io.json;
