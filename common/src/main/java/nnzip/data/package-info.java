/**
 * Training and evaluation data: the IDX format ({@link nnzip.data.IdxReader}), NumPy's
 * {@code .npy}/{@code .npz} formats ({@link nnzip.data.NpyReader}, {@link nnzip.data.NpzReader}),
 * an in-memory labelled {@link nnzip.data.Dataset} with a seeded validation split, the Fashion-MNIST
 * files of the Debian package {@code dataset-fashion-mnist} ({@link nnzip.data.FashionMnist}), and
 * {@link nnzip.data.DataSource}, which turns a {@code --data} argument into {@link nnzip.data.Datasets}.
 */
package nnzip.data;
