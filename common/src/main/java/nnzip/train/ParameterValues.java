package nnzip.train;

import java.util.Arrays;
import java.util.List;

/**
 * Values of a set of named parameters, in a fixed order; the unit that moves between driver and
 * executors and into checkpoints. The arrays are shared, not copied: treat them as read-only once
 * handed over.
 *
 * @param names parameter names
 * @param shapes shape of each parameter
 * @param values row-major values of each parameter, length = product of its shape
 */
public record ParameterValues(List<String> names, List<long[]> shapes, float[][] values) implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks that the three lists agree. */
  public ParameterValues {
    names = List.copyOf(names);
    shapes = List.copyOf(shapes);
    if (names.size() != shapes.size() || names.size() != values.length) {
      throw new IllegalArgumentException(names.size() + " names, " + shapes.size() + " shapes, " + values.length + " values");
    }
    for (int i = 0; i < values.length; i++) {
      long size = Arrays.stream(shapes.get(i)).reduce(1, Math::multiplyExact);
      if (values[i].length != size) {
        throw new IllegalArgumentException("parameter '" + names.get(i) + "': shape " + Arrays.toString(shapes.get(i))
            + " needs " + size + " values, got " + values[i].length);
      }
    }
  }

  /** Total number of scalar parameters. */
  public long count() {
    long n = 0;
    for (float[] v : values) {
      n += v.length;
    }
    return n;
  }

  /** The values of the named parameter. */
  public float[] get(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no parameter '" + name + "'");
    }
    return values[i];
  }

  /** A deep copy. */
  public ParameterValues copy() {
    float[][] v = new float[values.length][];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i].clone();
    }
    return new ParameterValues(names, shapes, v);
  }

  /**
   * Checks that these values fit a graph's parameters.
   *
   * @throws IllegalArgumentException naming the first difference
   */
  void requireSameLayout(List<String> otherNames, List<long[]> otherShapes) {
    if (!names.equals(otherNames)) {
      throw new IllegalArgumentException("parameters " + names + " do not match the graph's " + otherNames);
    }
    for (int i = 0; i < shapes.size(); i++) {
      if (!Arrays.equals(shapes.get(i), otherShapes.get(i))) {
        throw new IllegalArgumentException("parameter '" + names.get(i) + "' has shape " + Arrays.toString(shapes.get(i))
            + ", the graph's is " + Arrays.toString(otherShapes.get(i)));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ParameterValues p) || !names.equals(p.names) || values.length != p.values.length) {
      return false;
    }
    for (int i = 0; i < values.length; i++) {
      if (!Arrays.equals(shapes.get(i), p.shapes.get(i)) || !Arrays.equals(values[i], p.values[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return names.hashCode() * 31 + Arrays.deepHashCode(values);
  }

  @Override
  public String toString() {
    return "ParameterValues" + names + " (" + count() + " values)";
  }
}
