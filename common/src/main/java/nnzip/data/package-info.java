/**
 * Training and evaluation data: the IDX file format ({@link nnzip.data.IdxReader}), an in-memory
 * labelled {@link nnzip.data.Dataset} with a seeded validation split, and the Fashion-MNIST files
 * of the Debian package {@code dataset-fashion-mnist} ({@link nnzip.data.FashionMnist}).
 */
package nnzip.data;
