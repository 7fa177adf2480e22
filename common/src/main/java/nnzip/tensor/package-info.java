/** Tensor descriptions and the element conversions every format and codec shares. */
package nnzip.tensor;
