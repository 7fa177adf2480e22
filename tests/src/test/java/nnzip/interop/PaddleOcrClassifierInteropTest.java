package nnzip.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import nnzip.interop.OcrFixtures.OcrModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PaddleOCR mobile classifier at 8 bits with its 200 BatchNorm, bias and small Conv tensors coded
 * uniform per tensor ({@code passthrough.uniform-bits}, off by default) instead of kept in F32: judged
 * by ONNX Runtime on 16 seeded text lines against the original file. Confident predictions (the two
 * classes at least {@value #CONFIDENT} apart) keep their class, and the outputs move less at 8 bits
 * than at 6 (error falls as bits grow), while the artifact is smaller than with those tensors kept.
 */
class PaddleOcrClassifierInteropTest {
  static final int SEEDS = 16;
  /** Margin |p0 − p1| of the original above which a prediction counts as confident. */
  static final double CONFIDENT = 0.5;

  @TempDir static Path dir;

  record Run(long bytes, double meanAbsDiff, int confidentFlips, int confident) {}

  static Run run(String name, String... sets) throws Exception {
    OcrModel m = OcrModel.CLASSIFIER;
    Path art = dir.resolve(name + ".nnz.safetensors");
    Path restored = dir.resolve(name + ".onnx");
    List<String> args = new ArrayList<>(List.of("compress", "--in", m.path().toString(), "--out", art.toString(),
        "--json", "--master", "local[2]"));
    for (String s : sets) {
      args.addAll(List.of("--set", s));
    }
    JsonNode report = Cli.ok(args.toArray(String[]::new)).json();
    RatioCheck.assertRatio(m.path(), art, report, "classifier " + name);
    Cli.ok("decompress", "--in", art.toString(), "--out", restored.toString(), "--format", "onnx");
    double diff = 0;
    int flips = 0;
    int confident = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
      SyntheticText.Input in = SyntheticText.forModel(m, seed);
      float[] ref = OrtRunner.run(m.path(), in.values(), in.shape()).values();
      float[] out = OrtRunner.run(restored, in.values(), in.shape()).values();
      assertEquals(2, out.length, "two orientation classes");
      diff += Math.abs(ref[0] - out[0]) + Math.abs(ref[1] - out[1]);
      if (Math.abs(ref[0] - ref[1]) >= CONFIDENT) {
        confident++;
        flips += (ref[0] > ref[1]) != (out[0] > out[1]) ? 1 : 0;
      }
    }
    Run r = new Run(Files.size(art), diff / (2 * SEEDS), flips, confident);
    System.out.printf("[interop] CLASSIFIER %s: %d bytes (%.2fx), mean |output diff| %.4f, %d of %d confident"
        + " predictions changed%n", name, r.bytes(), (double) Files.size(m.path()) / r.bytes(), r.meanAbsDiff(),
        r.confidentFlips(), r.confident());
    return r;
  }

  @Test
  void smallTensorsCodedAtEightBitsKeepConfidentPredictionsAndShrinkTheArtifact() throws Exception {
    Run eight = run("uniform8", "passthrough.dp-bits=0", "passthrough.uniform-bits=8");
    Run six = run("uniform6", "passthrough.dp-bits=0", "passthrough.uniform-bits=6");
    Run kept = run("kept", "passthrough.dp-bits=0", "passthrough.uniform-bits=0");
    assertTrue(eight.confident() >= SEEDS / 2, "most seeded lines are classified with confidence: " + eight.confident());
    assertEquals(0, eight.confidentFlips(), "confident predictions changed at 8 bits");
    assertTrue(eight.meanAbsDiff() < six.meanAbsDiff(), eight + " vs 6 bits " + six);
    assertTrue(eight.bytes() < kept.bytes(), eight + " vs kept " + kept);
  }
}
