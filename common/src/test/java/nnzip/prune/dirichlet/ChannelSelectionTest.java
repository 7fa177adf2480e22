package nnzip.prune.dirichlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nnzip.prune.dirichlet.ChannelSelection.Group;
import org.junit.jupiter.api.Test;

/** Budgeted channel selection and the baseline scores. */
class ChannelSelectionTest {
  @Test
  void equalCostsKeepTheTopScoresOverAllGroups() {
    List<Group> groups = List.of(new Group(4, 10), new Group(3, 10));
    List<double[]> scores = List.of(new double[] {0.1, 2.0, 0.5, 1.5}, new double[] {1.8, 0.2, 0.9});
    // 70 parameters, keep 3/7 → 30: the three best are 2.0 (0/1), 1.8 (1/0), 1.5 (0/3).
    List<int[]> kept = ChannelSelection.select(groups, scores, 3.0 / 7);
    assertArrayEquals(new int[] {1, 3}, kept.get(0));
    assertArrayEquals(new int[] {0}, kept.get(1));
    assertEquals(30, ChannelSelection.keptParameters(groups, kept));
  }

  @Test
  void budgetIsNeverExceededAndNoGroupIsEmptied() {
    List<Group> groups = List.of(new Group(20, 1276), new Group(50, 8501), new Group(500, 811));
    List<double[]> scores = ChannelSelection.randomScores(groups, 4);
    scores.set(1, new double[50]); // the worst group still keeps one channel
    for (double keep : new double[] {0.05, 0.2, 0.5, 0.9, 1.0}) {
      List<int[]> kept = ChannelSelection.select(groups, scores, keep);
      long total = 20 * 1276 + 50 * 8501 + 500 * 811;
      long k = ChannelSelection.keptParameters(groups, kept);
      assertTrue(k <= keep * total && k > keep * total - 8501, keep + ": kept " + k + " of " + total);
      kept.forEach(c -> assertTrue(c.length >= 1));
    }
    assertEquals(570, ChannelSelection.select(groups, scores, 1).stream().mapToInt(c -> c.length).sum());
  }

  @Test
  void badBudgetsAreRefused() {
    List<Group> groups = List.of(new Group(4, 10), new Group(4, 10));
    List<double[]> s = List.of(new double[4], new double[4]);
    assertThrows(IllegalArgumentException.class, () -> ChannelSelection.select(groups, s, 0));
    assertThrows(IllegalArgumentException.class, () -> ChannelSelection.select(groups, s, 1.5));
    assertThrows(IllegalArgumentException.class, () -> ChannelSelection.select(groups, s, 0.2)); // < 1 channel each
    assertThrows(IllegalArgumentException.class, () -> ChannelSelection.select(groups, List.of(new double[3],
        new double[4]), 0.5));
  }

  @Test
  void l1ScoresAreFilterNormsOverTheirMean() {
    // [2, 3] with channels on axis 0 and on axis 1.
    float[] w = {1, -2, 3, 0, 0, -6};
    assertArrayEquals(new double[] {1, 1}, ChannelSelection.l1Scores(w, new long[] {2, 3}, 0), 1e-12);
    // Columns: |1|+|0| = 1, |−2|+|0| = 2, |3|+|−6| = 9; mean 4.
    assertArrayEquals(new double[] {0.25, 0.5, 2.25}, ChannelSelection.l1Scores(w, new long[] {2, 3}, 1), 1e-12);
  }

  @Test
  void gatedL1ScoresAreTheFoldedFiltersNormsOverTheirMean() {
    // A [3, 2] layer, channels on axis 0, whose gates C·g scale its rows: the gated L1 score of a row is
    // the L1 norm of the row times its gate, over the mean of those norms, computed here on the folded
    // weights themselves.
    float[] w = {1, -1, 4, 0, -0.5f, 0.5f};
    double[] gates = {0.5, 1.5, 1.0};
    float[] folded = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      folded[i] = (float) (w[i] * gates[i / 2]);
    }
    double[] expected = ChannelSelection.l1Scores(folded, new long[] {3, 2}, 0);
    List<double[]> got = ChannelSelection.gatedL1Scores(List.of(gates),
        List.of(ChannelSelection.l1Scores(w, new long[] {3, 2}, 0)));
    assertArrayEquals(expected, got.get(0), 1e-6);
    // Row 0 (norm 2, gate 0.5) and row 2 (norm 1, gate 1) tie in the folded norms, and so in the product,
    // though L1 alone ranks row 0 first and the gate alone row 2.
    assertEquals(got.get(0)[0], got.get(0)[2], 1e-12);
    assertThrows(IllegalArgumentException.class, () -> ChannelSelection.gatedL1Scores(List.of(gates),
        List.of(new double[] {1, 1})));
  }

  @Test
  void randomScoresAreSeeded() {
    List<Group> g = List.of(new Group(5, 1), new Group(3, 1));
    assertArrayEquals(ChannelSelection.randomScores(g, 3).get(1), ChannelSelection.randomScores(g, 3).get(1));
    assertTrue(ChannelSelection.randomScores(g, 3).get(0)[0] != ChannelSelection.randomScores(g, 4).get(0)[0]);
  }
}
