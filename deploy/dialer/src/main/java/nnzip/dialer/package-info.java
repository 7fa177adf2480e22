/**
 * The device dialer: one small jar that writes the model at a point of a compressible subspace
 * through nnzip-common's own decode path, with the JDK as its only dependency.
 */
package nnzip.dialer;
