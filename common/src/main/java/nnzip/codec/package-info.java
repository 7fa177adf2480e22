/**
 * Codecs: the scalar-codec contract (summary → fit → quantizer → restore), bit packing of code
 * indices, and tensor layouts by scope.
 */
package nnzip.codec;
