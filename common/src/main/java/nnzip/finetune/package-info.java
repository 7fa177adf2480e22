/**
 * Finetuning compressed models on the task loss: the coded weights of an artifact become
 * differentiable functions of their small trainable parameters with the codes frozen (additive
 * quantization's codebooks, Sun et al.; dp's levels, Yang et al. DP-Net), the rest of the
 * full-precision tensors stay trainable, and the trained parameters are written back as a new
 * artifact with the same codes.
 */
package nnzip.finetune;
