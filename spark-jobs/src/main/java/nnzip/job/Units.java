package nnzip.job;

/** Human-readable sizes for progress lines and tables. */
public final class Units {
  private Units() {}

  /** {@code 1536} → {@code "1.5 KiB"}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
