package nnzip.codec.uniform;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import nnzip.InvalidInputException;
import nnzip.codec.ScalarCodec;
import nnzip.codec.ScalarCodec.Quantizer;
import nnzip.codec.ScalarCodec.Summary;
import nnzip.codec.Scope;
import nnzip.codec.TensorLayout;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/**
 * The uniform codec's contract: error at most half a step per channel, the channel's extremes
 * reproduced, codes in range, parameters that restore the same quantizer, summaries that merge in
 * any order, and the relative quality claims (more bits, channel scope).
 */
class UniformCodecTest {

  /**
   * Float slack on top of step/2. Encode and decode are a handful of float operations (x − min,
   * ÷ step, min + q × step) on values bounded by the channel's largest magnitude M, each rounding by
   * at most ulp(M)/2, and the float step itself is off its exact value by a relative 2^-24, which
   * over up to 2^bits − 1 steps is again about ulp(M). Four ulps of M cover all of it.
   */
  private static double slack(double maxAbs) {
    return 4 * Math.ulp((float) maxAbs);
  }

  private static Quantizer fit(ScalarCodec codec, TensorLayout layout, float[] x) {
    Summary s = codec.newSummary(layout);
    s.add(x, x.length, 0);
    return codec.fit(s);
  }

  private static float[] roundTrip(Quantizer q, float[] x, int[] codes) {
    q.encode(x, x.length, 0, codes);
    float[] out = new float[x.length];
    q.decode(codes, x.length, 0, out);
    return out;
  }

  /** Channels of different scales and offsets, one constant channel and one far from zero. */
  private static float[] mixedChannels(int channels, int length, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[channels * length];
    for (int c = 0; c < channels; c++) {
      double scale = Math.pow(10, rnd.nextDouble(-3, 1));
      double offset = c == channels - 1 ? 1000 : rnd.nextGaussian() * scale;
      for (int i = 0; i < length; i++) {
        x[c * length + i] = c == 1 ? 0.37f : (float) (offset + scale * rnd.nextGaussian());
      }
    }
    return x;
  }

  private static double mse(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s / a.length;
  }

  @Test
  void perChannelErrorIsAtMostHalfAStepAndExtremesAreReproduced() {
    int channels = 9;
    int length = 301;
    float[] x = mixedChannels(channels, length, 5);
    TensorLayout layout = new TensorLayout((long) channels * length, channels, length);
    for (int bits : new int[] {1, 2, 3, 4, 8, 12, 16}) {
      UniformCodec codec = new UniformCodec(bits);
      Quantizer q = fit(codec, layout, x);
      float[] step = q.parameters().get(UniformCodec.STEP);
      float[] min = q.parameters().get(UniformCodec.MIN);
      int[] codes = new int[x.length];
      float[] y = roundTrip(q, x, codes);
      for (int c = 0; c < channels; c++) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        int argLo = -1;
        int argHi = -1;
        for (int i = c * length; i < (c + 1) * length; i++) {
          if (x[i] < lo) {
            lo = x[i];
            argLo = i;
          }
          if (x[i] > hi) {
            hi = x[i];
            argHi = i;
          }
        }
        double tol = slack(Math.max(Math.abs(lo), Math.abs(hi)));
        assertEquals(lo, min[c], 0f, "qmin is the channel minimum");
        assertEquals((float) (((double) hi - lo) / ((1 << bits) - 1)), step[c], 0f, "qstep closed form");
        for (int i = c * length; i < (c + 1) * length; i++) {
          assertTrue(codes[i] >= 0 && codes[i] < (1 << bits), "code " + codes[i] + " out of range");
          double err = Math.abs((double) x[i] - y[i]);
          assertTrue(err <= step[c] / 2.0 + tol,
              "bits " + bits + " channel " + c + ": error " + err + " > step/2 " + step[c] / 2.0 + " + " + tol);
        }
        assertEquals(0, codes[argLo], "the minimum gets code 0");
        assertEquals(lo, y[argLo], 0f, "the minimum is reproduced exactly");
        assertEquals(hi, y[argHi], tol, "the maximum is reproduced up to float slack");
        if (lo < hi) {
          assertEquals((1 << bits) - 1, codes[argHi], "the maximum gets the top code");
        }
      }
    }
  }

  @Test
  void aConstantChannelHasZeroErrorAndZeroStep() {
    float[] x = new float[40];
    Arrays.fill(x, 0, 20, -2.75f);
    for (int i = 20; i < 40; i++) {
      x[i] = i;
    }
    Quantizer q = fit(new UniformCodec(3), new TensorLayout(40, 2, 20), x);
    assertEquals(0f, q.parameters().get(UniformCodec.STEP)[0]);
    int[] codes = new int[40];
    float[] y = roundTrip(q, x, codes);
    for (int i = 0; i < 20; i++) {
      assertEquals(0, codes[i]);
      assertEquals(-2.75f, y[i], 0f);
    }
  }

  @Test
  void perTensorScopeAlsoKeepsHalfAStep() {
    float[] x = mixedChannels(5, 200, 6);
    float maxAbs = 0;
    for (float v : x) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    Quantizer q = fit(new UniformCodec(6), TensorLayout.whole(x.length), x);
    float step = q.parameters().get(UniformCodec.STEP)[0];
    assertEquals(1, q.parameters().get(UniformCodec.MIN).length);
    float[] y = roundTrip(q, x, new int[x.length]);
    for (int i = 0; i < x.length; i++) {
      assertTrue(Math.abs((double) x[i] - y[i]) <= step / 2.0 + slack(maxAbs), "element " + i);
    }
  }

  @Test
  void errorFallsAsBitsGrow() {
    SplittableRandom rnd = new SplittableRandom(7);
    float[] x = new float[20_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    TensorLayout layout = new TensorLayout(x.length, 4, x.length / 4);
    double previous = Double.POSITIVE_INFINITY;
    for (int bits = 1; bits <= 16; bits++) {
      double e = mse(x, roundTrip(fit(new UniformCodec(bits), layout, x), x, new int[x.length]));
      // Each bit halves the step, so the MSE drops by about 4; demand at least 2.
      assertTrue(e < previous / 2, "bits " + bits + ": mse " + e + " vs " + previous + " at one bit fewer");
      previous = e;
    }
  }

  @Test
  void restoredParametersGiveAnIdenticalQuantizer() {
    float[] x = mixedChannels(6, 77, 8);
    TensorLayout layout = new TensorLayout(x.length, 6, 77);
    UniformCodec codec = new UniformCodec(5);
    Quantizer q = fit(codec, layout, x);
    Quantizer r = codec.restore(layout, q.parameters());
    assertEquals(q.bits(), r.bits());
    int[] codesQ = new int[x.length];
    int[] codesR = new int[x.length];
    float[] yq = roundTrip(q, x, codesQ);
    float[] yr = roundTrip(r, x, codesR);
    assertArrayEquals(codesQ, codesR);
    assertArrayEquals(yq, yr);
    assertEquals(List.copyOf(q.parameters().keySet()), List.copyOf(r.parameters().keySet()));
    // Decoding every possible code of every channel agrees too.
    int[] all = new int[32];
    for (int i = 0; i < 32; i++) {
      all[i] = i;
    }
    for (int c = 0; c < 6; c++) {
      float[] a = new float[32];
      float[] b = new float[32];
      q.decode(all, 32, c * 77L, a);
      r.decode(all, 32, c * 77L, b);
      assertArrayEquals(a, b, "channel " + c);
    }
  }

  @Test
  void parametersAreCopiesSoTheQuantizerCannotBeChangedThroughThem() {
    float[] x = {0, 1, 2, 3};
    Quantizer q = fit(new UniformCodec(2), TensorLayout.whole(4), x);
    q.parameters().get(UniformCodec.MIN)[0] = 100;
    Map<String, float[]> p = q.parameters();
    assertEquals(0f, p.get(UniformCodec.MIN)[0]);
    Quantizer r = new UniformCodec(2).restore(TensorLayout.whole(4), p);
    p.get(UniformCodec.STEP)[0] = 100;
    assertEquals(1f, r.parameters().get(UniformCodec.STEP)[0]);
  }

  @Test
  void restoreRejectsMissingOrMisSizedParameters() {
    UniformCodec codec = new UniformCodec(4);
    TensorLayout layout = new TensorLayout(12, 3, 4);
    float[] three = new float[3];
    assertThrows(InvalidInputException.class, () -> codec.restore(layout, Map.of(UniformCodec.MIN, three)));
    assertThrows(InvalidInputException.class, () -> codec.restore(layout, Map.of(UniformCodec.STEP, three)));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> codec.restore(layout, Map.of(UniformCodec.MIN, three, UniformCodec.STEP, new float[2])));
    assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
  }

  @Test
  void summariesMergedInAnySplitAndOrderFitTheSameQuantizer() {
    int channels = 7;
    int length = 53;
    float[] x = mixedChannels(channels, length, 9);
    TensorLayout layout = new TensorLayout(x.length, channels, length);
    UniformCodec codec = new UniformCodec(4);
    Quantizer onePass = fit(codec, layout, x);
    Random rnd = new Random(10);
    for (int trial = 0; trial < 50; trial++) {
      // Random contiguous pieces, crossing channel boundaries freely.
      List<Summary> parts = new ArrayList<>();
      for (int first = 0; first < x.length; ) {
        int n = Math.min(x.length - first, 1 + rnd.nextInt(90));
        Summary s = codec.newSummary(layout);
        s.add(Arrays.copyOfRange(x, first, first + n), n, first);
        parts.add(s);
        first += n;
      }
      parts.add(codec.newSummary(layout)); // an empty partition changes nothing
      Collections.shuffle(parts, rnd);
      // Merge as a random tree: repeatedly combine two random summaries.
      while (parts.size() > 1) {
        Summary a = parts.remove(rnd.nextInt(parts.size()));
        Summary b = parts.remove(rnd.nextInt(parts.size()));
        parts.add(a.merge(b));
      }
      Quantizer q = codec.fit(parts.get(0));
      assertArrayEquals(onePass.parameters().get(UniformCodec.MIN), q.parameters().get(UniformCodec.MIN), "trial " + trial);
      assertArrayEquals(onePass.parameters().get(UniformCodec.STEP), q.parameters().get(UniformCodec.STEP), "trial " + trial);
    }
  }

  @Test
  void mergingLeavesBothSummariesUnchanged() {
    UniformCodec codec = new UniformCodec(3);
    TensorLayout layout = TensorLayout.whole(4);
    Summary a = codec.newSummary(layout);
    a.add(new float[] {1, 2}, 2, 0);
    Summary b = codec.newSummary(layout);
    b.add(new float[] {-5, 9}, 2, 2);
    Summary ab = a.merge(b);
    assertEquals(-5f, codec.fit(ab).parameters().get(UniformCodec.MIN)[0]);
    assertEquals(1f, codec.fit(a).parameters().get(UniformCodec.MIN)[0]);
    assertEquals((float) (1.0 / 7), codec.fit(a).parameters().get(UniformCodec.STEP)[0]);
    assertEquals(-5f, codec.fit(b).parameters().get(UniformCodec.MIN)[0]);
  }

  @Test
  void summariesOfDifferentLayoutsOrCodecsDoNotMix() {
    UniformCodec codec = new UniformCodec(3);
    Summary a = codec.newSummary(new TensorLayout(8, 2, 4));
    Summary b = codec.newSummary(TensorLayout.whole(8));
    assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    Summary foreign = new Summary() {
      @Override
      public void add(float[] values, int n, long first) {}

      @Override
      public Summary merge(Summary other) {
        return this;
      }
    };
    assertThrows(IllegalArgumentException.class, () -> codec.fit(foreign));
  }

  @Test
  void anEmptySummaryFitsAQuantizerThatDecodesToZero() {
    UniformCodec codec = new UniformCodec(2);
    TensorLayout layout = TensorLayout.whole(0);
    Quantizer q = codec.fit(codec.newSummary(layout));
    assertArrayEquals(new float[] {0f}, q.parameters().get(UniformCodec.MIN));
    assertArrayEquals(new float[] {0f}, q.parameters().get(UniformCodec.STEP));
  }

  @Test
  void valuesOutsideTheFittedRangeAreClampedToTheEndCodes() {
    Quantizer q = fit(new UniformCodec(4), TensorLayout.whole(3), new float[] {-1, 0, 1});
    int[] codes = new int[3];
    q.encode(new float[] {-100, 100, 0.1f}, 3, 0, codes);
    assertArrayEquals(new int[] {0, 15, 8}, codes); // 0.1 sits 8.25 steps above the minimum
  }

  @Test
  void channelScopeBeatsTensorScopeWhenChannelRangesDiffer() {
    // A conv weight after BatchNorm folding: each output channel is scaled by gamma/sqrt(var).
    int rows = 32;
    int rowLength = 3 * 3 * 16;
    SplittableRandom rnd = new SplittableRandom(13);
    float[] x = new float[rows * rowLength];
    for (int c = 0; c < rows; c++) {
      double scale = Math.pow(10, rnd.nextDouble(-2.5, 0.5));
      for (int i = 0; i < rowLength; i++) {
        x[c * rowLength + i] = (float) (scale * rnd.nextGaussian());
      }
    }
    TensorSpec spec = new TensorSpec("conv.weight", DType.F32, new long[] {rows, 16, 3, 3});
    UniformCodec codec = new UniformCodec(4);
    float[] perChannel = roundTrip(fit(codec, Scope.CHANNEL.layoutOf(spec), x), x, new int[x.length]);
    float[] perTensor = roundTrip(fit(codec, Scope.TENSOR.layoutOf(spec), x), x, new int[x.length]);
    double channelMse = mse(x, perChannel);
    double tensorMse = mse(x, perTensor);
    assertTrue(channelMse < tensorMse / 4, "channel " + channelMse + " vs tensor " + tensorMse);
    // And no channel is worse off: each channel's own range is at most the tensor's.
    for (int c = 0; c < rows; c++) {
      float[] xc = Arrays.copyOfRange(x, c * rowLength, (c + 1) * rowLength);
      double ch = mse(xc, Arrays.copyOfRange(perChannel, c * rowLength, (c + 1) * rowLength));
      double te = mse(xc, Arrays.copyOfRange(perTensor, c * rowLength, (c + 1) * rowLength));
      assertTrue(ch <= te * 1.5, "channel " + c + ": " + ch + " vs " + te);
    }
  }

  @Test
  void quantizersEncodeShardsAtAnyOffsetLikeTheWholeTensor() {
    float[] x = mixedChannels(4, 50, 14);
    TensorLayout layout = new TensorLayout(x.length, 4, 50);
    Quantizer q = fit(new UniformCodec(7), layout, x);
    int[] whole = new int[x.length];
    float[] y = roundTrip(q, x, whole);
    for (int first = 0; first < x.length; first += 24) {
      int n = Math.min(24, x.length - first);
      int[] codes = new int[n];
      q.encode(Arrays.copyOfRange(x, first, first + n), n, first, codes);
      assertArrayEquals(Arrays.copyOfRange(whole, first, first + n), codes, "shard at " + first);
      float[] out = new float[n];
      q.decode(codes, n, first, out);
      assertArrayEquals(Arrays.copyOfRange(y, first, first + n), out, "shard at " + first);
    }
  }

  @Test
  void bitWidthsOutsideOneToSixteenAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new UniformCodec(0));
    assertThrows(IllegalArgumentException.class, () -> new UniformCodec(17));
    assertEquals("uniform", new UniformCodec(16).name());
  }
}
