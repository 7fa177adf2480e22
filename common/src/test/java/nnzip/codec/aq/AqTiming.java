package nnzip.codec.aq;

/**
 * Not a test: the benchmark of DESIGN.md (131,072 × 8 standard Gaussian subvectors, M = 2,
 * b = 8, 2 bits/weight) on one thread: relative MSE per round, training time, encode throughput.
 * Run with {@code java -Xmx2g -cp common/target/classes:common/target/test-classes
 * nnzip.codec.aq.AqTiming [n] [rounds] [beam]}.
 */
public final class AqTiming {
  private AqTiming() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 131_072;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int beam = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    float[] x = Fixtures.gaussian(n, 8, 1);
    long t0 = System.nanoTime();
    AqTraining t = nnzip.compress.aq.AqFit.train(x, n, new nnzip.compress.aq.AqSettings(
        new AqParams(8, 2, 8, beam, rounds, 0, 1), nnzip.codec.Scope.GLOBAL,
        nnzip.compress.aq.AqSettings.Normalization.NONE, 0, nnzip.tensor.DType.F32, 2));
    double train = (System.nanoTime() - t0) / 1e9;
    for (IterationStats s : t.stats()) {
      System.out.printf("round %2d  rel-MSE %.4f  %.2f s%n", s.round(), s.relativeMse(), s.seconds());
    }
    System.out.printf("train %.1f s (n = %d, beam %d)%n", train, n, beam);
    for (int rep = 0; rep < 3; rep++) {
      long e0 = System.nanoTime();
      t.quantizer().encode(x, n);
      double s = (System.nanoTime() - e0) / 1e9;
      System.out.printf("encode %.2f s: %.2f M weights/s%n", s, n * 8 / s / 1e6);
    }
  }
}
