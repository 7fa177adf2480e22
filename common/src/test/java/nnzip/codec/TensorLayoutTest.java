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
}
