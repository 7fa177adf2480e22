/** IEEE binary16 coding of single values, for tensors that need every element at its own scale. */
package nnzip.codec.half;
