package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nnzip.interop.OcrFixtures.OcrModel;
import nnzip.interop.OrtRunner.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 8-bit {@code uniform} on public Paddle2ONNX OCR models, judged by ONNX Runtime on the original file:
 * the decompressed model runs unchanged, per-output-channel ranges (the default) keep the detector's
 * map and the recognizer's decoded sequence, and per-channel is closer to the original than
 * per-tensor ranges on the same model (folded BatchNorm gives conv channels very different ranges).
 */
class PaddleOcrEightBitInteropTest {
  static final long SEED = 20_240_501L;
  /** PaddleOCR's DB post-processing binarizes the detector's probability map at 0.3. */
  static final float DB_THRESHOLD = 0.3f;
  /** Recognizer time steps (of 40) whose argmax may change at 8 bits per channel. */
  static final int MAX_STEP_MISMATCHES = 4;
  /** How much closer (mean absolute output difference) per-channel must be than per-tensor. */
  static final double MIN_CHANNEL_ADVANTAGE = 3;

  @TempDir static Path dir;
  private static final Map<String, Quantized> RUNS = new HashMap<>();
  private static final Map<OcrModel, Output> REFERENCE = new HashMap<>();

  /** One 8-bit run: artifact, compress report, decompressed ONNX model and its output on the seeded input. */
  record Quantized(Path artifact, JsonNode report, Path restored, Output output) {}

  /** Compresses at 8 bits with the given scope ({@code null}: the default), decompresses to ONNX, runs it; once per class. */
  static synchronized Quantized eightBit(OcrModel m, String scope) {
    String key = m + "/" + scope;
    Quantized q = RUNS.get(key);
    if (q == null) {
      String stem = m.name().toLowerCase() + ".8bit." + (scope == null ? "default" : scope);
      Path art = dir.resolve(stem + ".nnz.safetensors");
      Path restored = dir.resolve(stem + ".onnx");
      List<String> args = new ArrayList<>(List.of("compress", "--in", m.path().toString(), "--out",
          art.toString(), "--set", "bits=8", "--json", "--master", "local[2]"));
      if (scope != null) {
        args.addAll(List.of("--set", "scope=" + scope));
      }
      JsonNode report = Cli.ok(args.toArray(String[]::new)).json();
      Cli.ok("decompress", "--in", art.toString(), "--out", restored.toString(), "--format", "onnx");
      SyntheticText.Input in = SyntheticText.forModel(m, SEED);
      try {
        q = new Quantized(art, report, restored, OrtRunner.run(restored, in.values(), in.shape()));
      } catch (Exception e) {
        throw new AssertionError("ONNX Runtime cannot run the decompressed " + m + " (" + scope + "): " + e, e);
      }
      RUNS.put(key, q);
    }
    return q;
  }

  static synchronized Output reference(OcrModel m) {
    return REFERENCE.computeIfAbsent(m, k -> {
      SyntheticText.Input in = SyntheticText.forModel(k, SEED);
      try {
        return OrtRunner.run(k.path(), in.values(), in.shape());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(OcrModel.class)
  void defaultEightBitModelRunsInOnnxRuntimeWithTheOriginalGraphAndPerChannelRanges(OcrModel m) throws Exception {
    Quantized q = eightBit(m, null);
    assertEquals(WeightCensus.of(m.path()), WeightCensus.of(q.restored()),
        "same nodes in the same order, same weights in the same Constant nodes");
    Output ref = reference(m);
    assertArrayEquals(ref.shape(), q.output().shape(), "output shape");
    for (float v : q.output().values()) {
      assertTrue(Float.isFinite(v), "finite outputs");
    }
    // The default scope groups by channel: every coded 4-D weight has one range per slice (or block of slices) of its first
    // dimension (a Conv's output channels; for the detector's 2 ConvTranspose weights, [C_in, C_out, kH, kW],
    // that is the input channels).
    // Weights under passthrough.min-elements (1024) are the passthrough rules' to code, per tensor
    // (passthrough.uniform-bits): ranges per channel would cost them more than 0.25 bit per weight.
    int perChannel = 0;
    int small = 0;
    for (JsonNode t : q.report().get("tensors")) {
      long n = 1;
      for (JsonNode d : t.get("shape")) {
        n *= d.asLong();
      }
      if (t.get("codec").asText().equals("uniform") && t.get("shape").size() == 4 && n < 1024) {
        assertEquals("tensor", t.get("scope").asText(), t.get("name").asText());
        small++;
      } else if (t.get("codec").asText().equals("uniform") && t.get("shape").size() == 4) {
        // scope = auto (the default) keeps ranges per output channel or per block of consecutive ones.
        String scope = t.get("scope").asText();
        int c = t.get("shape").get(0).asInt();
        int groups = t.get("channels").asInt();
        assertTrue(scope.equals("channel") || scope.equals("block"), t.get("name").asText() + ": " + scope);
        assertEquals(0, c % groups, t.get("name").asText() + ": " + groups + " groups of " + c + " channels");
        assertTrue(scope.equals("block") ? groups < c : groups == c, t.get("name").asText());
        perChannel++;
      }
    }
    assertTrue(perChannel >= 20, "conv weights coded per channel: " + perChannel);
    System.out.printf("[interop] %s default: %d conv weights per channel or block, %d small ones per tensor%n", m,
        perChannel, small);
  }

  /**
   * PaddleOCR binarizes the detector's map at {@value #DB_THRESHOLD}; fewer than 1% of the pixels may
   * change side. Measured over seeds 1..12: 0.013% to 0.145% per channel (DESIGN.md: 0.3% on a real
   * page), with text covering 4-8% of the map.
   */
  @Test
  void perChannelEightBitDetectorFlipsUnderOnePercentOfThresholdedPixels() {
    Output ref = reference(OcrModel.DETECTOR);
    double positive = fractionAbove(ref.values(), DB_THRESHOLD);
    double flips = flipFraction(ref.values(), eightBit(OcrModel.DETECTOR, null).output().values());
    System.out.printf("[interop] DETECTOR 8-bit per-channel: %.2f%% of pixels above %.1f in the original, %.4f%% flipped%n",
        100 * positive, DB_THRESHOLD, 100 * flips);
    assertTrue(positive > 0.01 && positive < 0.5, "the synthetic page has text regions: " + positive);
    assertTrue(flips < 0.01, "flipped pixel fraction " + flips);
  }

  /**
   * Greedy CTC decoding of a 40-step line: the decoded text must be the original's, and the per-step
   * argmax may differ on at most {@value #MAX_STEP_MISMATCHES} steps (a blank next to a repeated
   * character moves without changing the text). Measured over seeds 1..12: 0 to 2 steps, the text
   * always equal; per-tensor ranges change 5 to 13 steps and the text every time.
   */
  @Test
  void perChannelEightBitRecognizerKeepsTheGreedyDecodedText() throws Exception {
    Output ref = reference(OcrModel.RECOGNIZER);
    Output q = eightBit(OcrModel.RECOGNIZER, null).output();
    int[] a = argmaxPerStep(ref);
    int[] b = argmaxPerStep(q);
    int nonBlank = 0;
    for (int t : a) {
      nonBlank += t != 0 ? 1 : 0;
    }
    int mismatches = mismatches(ref, q);
    List<String> keys = Files.readAllLines(OcrFixtures.recognizerKeys());
    String expected = ctcDecode(a, keys);
    String actual = ctcDecode(b, keys);
    System.out.printf("[interop] RECOGNIZER 8-bit per-channel: argmax differs on %d of %d steps (%d non-blank);"
        + " decoded '%s' -> '%s'%n", mismatches, a.length, nonBlank, expected, actual);
    assertEquals(40, a.length, "a 48x320 line gives 40 time steps");
    assertTrue(nonBlank >= 8, "the synthetic line is read as characters, not all blanks: " + nonBlank);
    assertEquals(expected, actual, "decoded text");
    assertTrue(mismatches <= MAX_STEP_MISMATCHES, "argmax differs on " + mismatches + " of " + a.length + " steps");
  }

  /**
   * Same model, same 8 bits, ranges per output channel vs one per tensor. Measured over seeds 1..12:
   * mean absolute output difference 12-25x smaller per channel on the detector, 5-30x on the
   * recognizer; flipped detector pixels 0.01-0.14% vs 0.25-1.9%; recognizer steps changed 0-2 vs 5-13.
   * Asserted: at least {@value #MIN_CHANNEL_ADVANTAGE}x closer, and strictly fewer flips or changed
   * steps. Not asserted: that per-tensor "breaks" the model; on these inputs its detector flips stay
   * near 1%, below DESIGN.md's 3.4%, while it does change the recognizer's text on every seed.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = OcrModel.class, names = {"DETECTOR", "RECOGNIZER"})
  void perChannelOutputsAreCloserToTheOriginalThanPerTensorOnes(OcrModel m) {
    Output ref = reference(m);
    Output perChannel = eightBit(m, null).output();
    Output perTensor = eightBit(m, "tensor").output();
    double channel = meanAbsDiff(ref, perChannel);
    double tensor = meanAbsDiff(ref, perTensor);
    double errChannel;
    double errTensor;
    String what;
    if (m == OcrModel.DETECTOR) {
      errChannel = flipFraction(ref.values(), perChannel.values());
      errTensor = flipFraction(ref.values(), perTensor.values());
      what = String.format("flipped pixels %.4f%% vs %.4f%%", 100 * errChannel, 100 * errTensor);
    } else {
      errChannel = mismatches(ref, perChannel);
      errTensor = mismatches(ref, perTensor);
      what = String.format("argmax steps changed %d vs %d of 40", (int) errChannel, (int) errTensor);
    }
    System.out.printf("[interop] %s 8-bit mean |output diff|: per-channel %.3e, per-tensor %.3e (%.1fx); %s%n", m,
        channel, tensor, tensor / channel, what);
    assertTrue(channel * MIN_CHANNEL_ADVANTAGE < tensor, "per-channel " + channel + " vs per-tensor " + tensor);
    assertTrue(errChannel < errTensor, what);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = OcrModel.class, names = {"DETECTOR", "RECOGNIZER"})
  void reportedRatioIsOriginalFileBytesOverArtifactFileBytes(OcrModel m) throws Exception {
    for (String scope : new String[] {null, "tensor"}) {
      Quantized q = eightBit(m, scope);
      double ratio = RatioCheck.assertRatio(m.path(), q.artifact(), q.report(), m + " 8-bit " + (scope == null ? "channel" : scope));
      assertTrue(ratio > 3, "8-bit codes of float32 weights shrink the file more than 3x: " + ratio);
    }
  }

  static double fractionAbove(float[] v, float threshold) {
    int n = 0;
    for (float x : v) {
      n += x > threshold ? 1 : 0;
    }
    return (double) n / v.length;
  }

  static double flipFraction(float[] a, float[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      n += (a[i] > DB_THRESHOLD) != (b[i] > DB_THRESHOLD) ? 1 : 0;
    }
    return (double) n / a.length;
  }

  static double meanAbsDiff(Output a, Output b) {
    double s = 0;
    for (int i = 0; i < a.values().length; i++) {
      s += Math.abs(a.values()[i] - b.values()[i]);
    }
    return s / a.values().length;
  }

  /** Greedy CTC: the class with the highest probability at each time step of a [1, T, C] output. */
  static int[] argmaxPerStep(Output o) {
    int steps = (int) o.shape()[1];
    int classes = (int) o.shape()[2];
    int[] best = new int[steps];
    for (int t = 0; t < steps; t++) {
      for (int c = 1; c < classes; c++) {
        if (o.values()[t * classes + c] > o.values()[t * classes + best[t]]) {
          best[t] = c;
        }
      }
    }
    return best;
  }

  static int mismatches(Output a, Output b) {
    int[] x = argmaxPerStep(a);
    int[] y = argmaxPerStep(b);
    int n = 0;
    for (int t = 0; t < x.length; t++) {
      n += x[t] != y[t] ? 1 : 0;
    }
    return n;
  }

  /** Collapses repeats and drops blanks; class i is line i - 1 of the key file, the last class a space. */
  static String ctcDecode(int[] best, List<String> keys) {
    StringBuilder s = new StringBuilder();
    int prev = 0;
    for (int c : best) {
      if (c != 0 && c != prev) {
        s.append(c - 1 < keys.size() ? keys.get(c - 1) : " ");
      }
      prev = c;
    }
    return s.toString();
  }
}
