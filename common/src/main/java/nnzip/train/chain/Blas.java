package nnzip.train.chain;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major single-precision products C = α·op(A)·op(B) + β·C by OpenBLAS's cblas_sgemm (the library
 * ND4J's CPU backend itself calls), on native arrays at element offsets. Nd4j.gemm only takes whole
 * matrices, so a product per example of a batch would need a view, and a copy, per call; this
 * passes pointers into the batch's buffers instead.
 */
final class Blas {
  private Blas() {}

  /** A matrix of a native c-order array: its buffer, the offset of element (0, 0) and its row stride. */
  record Matrix(INDArray array, long offset, int rowStride) {
    FloatPointer pointer() {
      Kernels.floats(array); // checks it is a whole c-order buffer
      return new FloatPointer(array.data().addressPointer()).position(offset);
    }
  }

  static Matrix at(INDArray array, long offset, int rowStride) {
    return new Matrix(array, offset, rowStride);
  }

  /**
   * C[m, n] = α·op(A)·op(B) + β·C, op(A) [m, k], op(B) [k, n]; the matrices' row strides are their
   * leading dimensions (the stored rows: k or m for A, n or k for B, n for C).
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b,
      float beta, Matrix c) {
    check(a, transA ? k : m, transA ? m : k, "A");
    check(b, transB ? n : k, transB ? k : n, "B");
    check(c, m, n, "C");
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
        transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        m, n, k, alpha, a.pointer(), a.rowStride(), b.pointer(), b.rowStride(), beta, c.pointer(), c.rowStride());
  }

  /** BLAS reads and writes native memory unchecked: the stored rows must lie inside the buffer. */
  private static void check(Matrix x, int rows, int cols, String what) {
    long end = x.offset() + (long) (rows - 1) * x.rowStride() + cols;
    if (x.offset() < 0 || cols > x.rowStride() || end > x.array().length()) {
      throw new IllegalArgumentException(what + ": " + rows + " x " + cols + " at offset " + x.offset()
          + " with row stride " + x.rowStride() + " ends at " + end + ", past the array's " + x.array().length());
    }
  }
}
