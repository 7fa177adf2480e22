/**
 * The {@code .nnz.safetensors} artifact: a valid safetensors file whose metadata carries a JSON
 * manifest; writing (assembly and atomic commit), reading, verifying and restoring.
 */
package nnzip.artifact;
