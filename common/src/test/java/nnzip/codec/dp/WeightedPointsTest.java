package nnzip.codec.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WeightedPointsTest {

  @Test
  void countsEachDistinctValueOnceInAscendingOrder() {
    WeightedPoints p = WeightedPoints.of(new float[] {3, -1, 3, 0.5f, -0f, 0f, 3, 99}, 7);
    assertArrayEquals(new double[] {-1, 0, 0.5, 3}, p.values());
    assertArrayEquals(new double[] {1, 2, 1, 3}, p.weights());
    assertEquals(7, p.totalWeight());
    assertEquals(0, p.constantSse());
  }

  @Test
  void sortsAndCombinesWeightedPointsAndDropsZeroWeights() {
    WeightedPoints p = WeightedPoints.of(
        new double[] {2, 1, 2, -0.0, 0.0, 5}, new double[] {1, 2, 3, 1, 1, 0}, 0.5);
    assertArrayEquals(new double[] {0, 1, 2}, p.values());
    assertArrayEquals(new double[] {2, 2, 4}, p.weights());
    assertEquals(0.5, p.constantSse());
  }

  @Test
  void rejectsNanAndInfiniteValuesNamingTheIndex() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new float[] {1, Float.NaN}, 2));
    assertTrue(e.getMessage().contains("value 1 is NaN"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new float[] {Float.NEGATIVE_INFINITY}, 1));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new double[] {Double.NaN}, new double[] {1}, 0));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new double[] {1}, new double[] {-1}, 0));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new double[] {1}, new double[] {1, 2}, 0));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedPoints.of(new double[] {1}, new double[] {1}, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> WeightedPoints.of(new float[2], 3));
  }

  @Test
  void measuresThePartitionErrorTwoPass() {
    WeightedPoints p = WeightedPoints.of(new double[] {0, 1, 10, 12}, new double[] {1, 1, 1, 3}, 2);
    assertEquals(2 + 0.5 + 3, p.sse(new int[] {0, 2}), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> p.sse(new int[] {1, 2}));
    assertThrows(IllegalArgumentException.class, () -> p.sse(new int[] {0, 2, 2}));
    assertThrows(IllegalArgumentException.class, () -> p.sse(new int[] {0, 4}));
  }
}
