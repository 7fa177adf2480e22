package nnzip.zoo;

/**
 * How a zoo runs (defaults in reference.conf's {@code zoo} block).
 *
 * @param parallelModels models compressed at once in the one Spark application, 1..64 (2)
 * @param retries extra attempts of a model that failed with anything but invalid input, 0..10 (1)
 */
public record ZooSettings(int parallelModels, int retries) {
  public ZooSettings {
    if (parallelModels < 1 || parallelModels > 64) {
      throw new IllegalArgumentException("parallel-models must be in 1..64, got " + parallelModels);
    }
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("retries must be in 0..10, got " + retries);
    }
  }
}
