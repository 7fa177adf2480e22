package nnzip.compress;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.SplittableRandom;
import nnzip.codec.Half;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.codec.dp.Codebook;
import nnzip.codec.dp.DpCodec;
import nnzip.codec.uniform.UniformCodec;
import nnzip.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * The F16 rules of the scalar codecs against brute force on the classifier's real Conv weights:
 * where a rule accepts F16, the reconstruction error measured element by element stays within the
 * bound the rule promises while the side information takes half the bytes; where F16 would add an
 * error comparable to the code's own, the rule refuses it.
 */
class SideInformationTest {

  /** Per-channel exact and stored (F16 where allowed) quantizers of one weight. */
  private static ScalarCodec.Quantizer[] fit(ScalarCodec codec, OcrConvWeights.Weight w) {
    TensorLayout layout = TensorLayout.alongAxis(w.spec(), w.channelAxis());
    ScalarCodec.Summary s = codec.newSummary(layout, DType.F32);
    s.add(w.values(), w.values().length, 0);
    ScalarCodec.Quantizer exact = codec.fit(s);
    return new ScalarCodec.Quantizer[] {exact, SideInformation.storable(codec, exact)};
  }

  private static float[] roundTrip(ScalarCodec.Quantizer q, float[] x) {
    int[] codes = new int[x.length];
    float[] y = new float[x.length];
    q.encode(x, x.length, 0, codes);
    q.decode(codes, x.length, 0, y);
    return y;
  }

  @Test
  void uniformF16ParametersKeepEveryErrorWithinHalfAStepGrownByTheStatedSlack() throws IOException {
    int accepted = 0;
    int weights = 0;
    for (OcrConvWeights.Weight w : OcrConvWeights.classifier()) {
      weights++;
      ScalarCodec.Quantizer[] q = fit(new UniformCodec(8), w);
      if (q[1] == q[0]) {
        continue;
      }
      accepted++;
      float[] step = q[0].parameters().get(UniformCodec.STEP);
      float[] min16 = q[1].parameters().get(UniformCodec.MIN);
      float[] step16 = q[1].parameters().get(UniformCodec.STEP);
      assertTrue(Half.isExact(min16) && Half.isExact(step16), "stored parameters are F16 values");
      assertEquals(SideInformation.parameterBytes(q[0]) / 2, SideInformation.parameterBytes(q[1]), "half the bytes");
      TensorLayout layout = TensorLayout.alongAxis(w.spec(), w.channelAxis());
      float[] y = roundTrip(q[1], w.values());
      for (int i = 0; i < y.length; i++) {
        int c = layout.channelOf(i);
        double bound = step[c] / 2.0 * (1 + 1.0 / UniformCodec.HALF_STEP_SLACK) + Math.ulp(Math.abs(w.values()[i])) * 4;
        assertTrue(Math.abs(w.values()[i] - y[i]) <= bound,
            w.spec().name() + "[" + i + "]: error " + Math.abs(w.values()[i] - y[i]) + " > " + bound);
      }
    }
    assertTrue(weights > 20 && accepted > weights / 2, "F16 accepted on " + accepted + " of " + weights + " weights");
  }

  @Test
  void uniformRefusesF16WhenRoundingTheMinimumMovesTheGridByMoreThanTheSlack() {
    // Values in [1000, 1000.01]: F16's spacing at 1000 is 0.5, far above the 8-bit step 0.01 / 255.
    float[] x = new float[64];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (1000 + 0.01 * rnd.nextDouble());
    }
    UniformCodec codec = new UniformCodec(8);
    ScalarCodec.Summary s = codec.newSummary(TensorLayout.whole(x.length), DType.F32);
    s.add(x, x.length, 0);
    ScalarCodec.Quantizer exact = codec.fit(s);
    assertNull(codec.toHalf(exact));
    // Brute force: the nearest F16 grid would miss most values by far more than the exact half step.
    float step = exact.parameters().get(UniformCodec.STEP)[0];
    float min16 = Half.nearest(exact.parameters().get(UniformCodec.MIN)[0]);
    float step16 = Half.nearest(step);
    double worst = 0;
    for (float v : x) {
      double code = Math.max(0, Math.min(255, Math.rint((v - min16) / step16)));
      worst = Math.max(worst, Math.abs(v - (min16 + code * step16)));
    }
    assertTrue(worst > step, "nearest-F16 grid error " + worst + " vs twice the exact bound, step " + step);
  }

  @Test
  void dpF16LevelsMoveWithinTheStatedGapFractionAndAddAtMostEachClustersCountTimesTheMoveSquared()
      throws IOException {
    int accepted = 0;
    int weights = 0;
    for (OcrConvWeights.Weight w : OcrConvWeights.classifier()) {
      weights++;
      DpCodec codec = new DpCodec(4);
      ScalarCodec.Quantizer[] q = fit(codec, w);
      if (q[1] == q[0]) {
        continue;
      }
      accepted++;
      float[] exact = q[0].parameters().get(DpCodec.LEVELS);
      float[] half = q[1].parameters().get(DpCodec.LEVELS);
      assertTrue(Half.isExact(half), "stored levels are F16 values");
      assertEquals(SideInformation.parameterBytes(q[0]) / 2, SideInformation.parameterBytes(q[1]));
      int k = 16;
      TensorLayout layout = TensorLayout.alongAxis(w.spec(), w.channelAxis());
      float[] x = w.values();
      int[] codes = new int[x.length];
      q[0].encode(x, x.length, 0, codes);
      float[] y0 = roundTrip(q[0], x);
      float[] y1 = roundTrip(q[1], x);
      double[] sse0 = new double[layout.channels()];
      double[] sse1 = new double[layout.channels()];
      double[] bound = new double[layout.channels()];
      for (int i = 0; i < x.length; i++) {
        int c = layout.channelOf(i);
        sse0[c] += sq((double) x[i] - y0[i]);
        sse1[c] += sq((double) x[i] - y1[i]);
        // Keeping the exact codes, each element moves by its level's rounding: re-encoding can only do better.
        int l = c * k + codes[i];
        bound[c] += sq((double) x[i] - half[l]) - sq((double) x[i] - exact[l]);
      }
      for (int c = 0; c < layout.channels(); c++) {
        assertTrue(sse1[c] <= sse0[c] + bound[c] + 1e-12 * sse0[c], w.spec().name() + " channel " + c);
        for (int i = 0; i < k; i++) {
          double gap = gap(exact, c * k, k, i);
          assertTrue(Math.abs(half[c * k + i] - exact[c * k + i]) <= gap / DpCodec.HALF_GAP_FRACTION,
              "level moved past the gap fraction");
        }
        Codebook.of(java.util.Arrays.copyOfRange(half, c * k, c * k + k)); // still ascending
      }
    }
    assertTrue(accepted > 0, "F16 accepted on " + accepted + " of " + weights + " weights");
  }

  @Test
  void dpRefusesF16LevelsCloserThanF16CanTellApart() {
    float[] x = {1000f, 1000.1f, 1000f, 1000.1f}; // two channels, each with levels 1000 and 1000.1
    DpCodec codec = new DpCodec(1);
    ScalarCodec.Summary s = codec.newSummary(new TensorLayout(4, 2, 2), DType.F32);
    s.add(x, 4, 0);
    ScalarCodec.Quantizer exact = codec.fit(s);
    assertNull(codec.toHalf(exact));
    assertEquals(Half.nearest(1000f), Half.nearest(1000.1f), "both levels would round to one F16 value");
  }

  private static double gap(float[] levels, int off, int k, int i) {
    double gap = Double.POSITIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      double d = Math.abs((double) levels[off + j] - levels[off + i]);
      if (d > 0) {
        gap = Math.min(gap, d);
      }
    }
    return gap;
  }

  private static double sq(double d) {
    return d * d;
  }
}
