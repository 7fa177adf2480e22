package nnzip.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import nnzip.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  @Test
  void trainingSetHasSixThousandNormalizedImagesPerClass() {
    Dataset train = FashionMnistCache.train();
    assertEquals(60000, train.n());
    assertEquals(784, train.dim());
    assertEquals(10, train.numClasses());
    int[] expected = new int[10];
    Arrays.fill(expected, 6000);
    assertArrayEquals(expected, train.classCounts());
    double sum = 0;
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : train.features()) {
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
    // The published per-pixel mean of the Fashion-MNIST training set, as used in normalization
    // transforms: 0.2860.
    assertEquals(0.2860, sum / train.features().length, 5e-4);
  }

  @Test
  void testSetHasTenThousandImagesOfTenClasses() {
    Dataset test = FashionMnistCache.test();
    assertEquals(10000, test.n());
    int[] expected = new int[10];
    Arrays.fill(expected, 1000);
    assertArrayEquals(expected, test.classCounts());
  }

  @Test
  void aMissingDirectoryNamesTheDebianPackage(@TempDir Path empty) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> FashionMnist.load(empty, "train"));
    assertTrue(e.getMessage().contains("dataset-fashion-mnist") && e.getMessage().contains("apt-get install"),
        e.getMessage());
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
  }
}
