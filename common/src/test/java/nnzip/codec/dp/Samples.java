package nnzip.codec.dp;

import java.util.SplittableRandom;

/** Seeded test distributions (Box–Muller normals), as float values. */
final class Samples {
  private Samples() {}

  /** n draws of N(0, 1). */
  static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) normal(r);
    }
    return x;
  }

  /** n draws of Student's t with 3 degrees of freedom: Z / sqrt(χ²₃ / 3). */
  static float[] studentT3(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double z = normal(r);
      double a = normal(r);
      double b = normal(r);
      double c = normal(r);
      x[i] = (float) (z / Math.sqrt((a * a + b * b + c * c) / 3));
    }
    return x;
  }

  /** n draws of the even mixture of N(−1.5, 0.5²) and N(1.5, 0.5²). */
  static float[] bimodal(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double centre = r.nextBoolean() ? 1.5 : -1.5;
      x[i] = (float) (centre + 0.5 * normal(r));
    }
    return x;
  }

  /** n values from only {@code distinct} values (0, 0.25, 0.5, …), skewed towards small ones. */
  static float[] duplicateHeavy(int n, int distinct, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(distinct);
      int b = r.nextInt(distinct);
      x[i] = Math.min(a, b) * 0.25f;
    }
    return x;
  }

  /** Each value rounded to F16 and back (as a half-precision tensor would hold it). */
  static float[] toHalf(float[] x) {
    float[] h = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      h[i] = nnzip.tensor.FloatCodec.halfToFloat(nnzip.tensor.FloatCodec.floatToHalf(x[i]));
    }
    return h;
  }

  /** Population variance of the values, two-pass. */
  static double variance(float[] x) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double s = 0;
    for (float v : x) {
      s += (v - mean) * (v - mean);
    }
    return s / x.length;
  }

  private static double normal(SplittableRandom r) {
    // Box–Muller, one of the pair (simple and seed-stable; speed is not the point here).
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
