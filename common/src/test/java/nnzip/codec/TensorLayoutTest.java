package nnzip.codec;

import static org.junit.jupiter.api.Assertions.*;

import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/** Layouts and the scopes that produce them. */
class TensorLayoutTest {

  @Test
  void everyElementBelongsToTheChannelOfItsRow() {
    TensorLayout l = TensorLayout.rows(60, 5);
    assertEquals(new TensorLayout(60, 5, 12), l);
    for (long e = 0; e < 60; e++) {
      assertEquals((int) (e / 12), l.channelOf(e), "element " + e);
    }
  }

  @Test
  void oneRowOrNoElementsGiveASingleGroup() {
    assertEquals(TensorLayout.whole(7), TensorLayout.rows(7, 1));
    assertEquals(TensorLayout.whole(0), TensorLayout.rows(0, 4));
    assertEquals(0, TensorLayout.whole(0).channelOf(0));
    assertEquals(0, TensorLayout.whole(9).channelOf(8));
  }

  @Test
  void layoutsThatDoNotCoverTheTensorAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new TensorLayout(10, 3, 3));
    assertThrows(IllegalArgumentException.class, () -> new TensorLayout(10, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new TensorLayout(0, 1, -1));
  }

  @Test
  void channelScopeGroupsByTheFirstDimensionOfMatricesAndUp() {
    TensorSpec conv = new TensorSpec("w", DType.F32, new long[] {8, 3, 3, 3});
    assertEquals(new TensorLayout(216, 8, 27), Scope.CHANNEL.layoutOf(conv));
    assertEquals(TensorLayout.whole(216), Scope.TENSOR.layoutOf(conv));
    TensorSpec vector = new TensorSpec("b", DType.F32, new long[] {8});
    assertEquals(TensorLayout.whole(8), Scope.CHANNEL.layoutOf(vector), "rank 1 has no channels");
    TensorSpec scalar = new TensorSpec("s", DType.F32, new long[] {});
    assertEquals(TensorLayout.whole(1), Scope.CHANNEL.layoutOf(scalar));
    TensorSpec empty = new TensorSpec("e", DType.F32, new long[] {4, 0});
    assertEquals(TensorLayout.whole(0), Scope.CHANNEL.layoutOf(empty));
  }

  @Test
  void alongAxisGroupsEveryElementByItsIndexOnThatAxis() {
    long[] shape = {3, 4, 5, 2};
    nnzip.tensor.TensorSpec spec = new nnzip.tensor.TensorSpec("w", nnzip.tensor.DType.F32, shape);
    for (int axis = 0; axis < shape.length; axis++) {
      TensorLayout l = TensorLayout.alongAxis(spec, axis);
      assertEquals(shape[axis], l.channels());
      long[] perChannel = new long[l.channels()];
      // Reference: the multi-index of element e in row-major order, read off digit by digit.
      for (long e = 0; e < spec.numElements(); e++) {
        long rest = e;
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
          idx[d] = rest % shape[d];
          rest /= shape[d];
        }
        assertEquals(idx[axis], l.channelOf(e), "axis " + axis + ", element " + e);
        perChannel[l.channelOf(e)]++;
      }
      for (long c : perChannel) {
        assertEquals(l.channelLength(), c, "every channel holds channelLength elements");
      }
    }
    assertEquals(TensorLayout.rows(120, 3), TensorLayout.alongAxis(spec, 0), "axis 0 is the contiguous layout");
    assertThrows(IllegalArgumentException.class, () -> TensorLayout.alongAxis(spec, 4));
  }
}
