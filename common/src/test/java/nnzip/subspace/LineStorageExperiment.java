package nnzip.subspace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnzip.artifact.Artifact;
import nnzip.codec.ScalarCodec;
import nnzip.codec.TensorLayout;
import nnzip.codec.dp.DpCodec;
import nnzip.codec.uniform.UniformCodec;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.WeightPlan;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The storage check of issue 18: lines stored with both endpoints whole (env NNZIP_LINES = a folder
 * of {@code before-KIND.nnz.safetensors}), dialed at five points on the test set as stored, and
 * with one endpoint replaced by the other plus their difference quantized per output channel at
 * 2..4 bits (uniform min–max, or dp's optimal levels at 2..3 bits; per output channel), either
 * endpoint as the base (NNZIP_DP_ONLY=1: the dp rows only). Test
 * accuracy only. NNZIP_PREFIX=after and NNZIP_STORED_ONLY=1 dial {@code after-KIND.nnz.safetensors}
 * as stored only. Not part of the suite.
 */
@EnabledIfEnvironmentVariable(named = "NNZIP_LINES", matches = ".+")
class LineStorageExperiment {
  private static final double[] ALPHAS = {0, 0.25, 0.5, 0.75, 1};

  @Test
  void storage() throws Exception {
    Dataset test = DataRef.standard("fashion-mnist", 0.1, 0).load().test();
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (String kind : System.getenv().getOrDefault("NNZIP_KINDS", "bits,structured,unstructured").split(",")) {
      String prefix = System.getenv().getOrDefault("NNZIP_PREFIX", "before");
      Path file = new Path(System.getenv("NNZIP_LINES"), prefix + "-" + kind + ".nnz.safetensors");
      Line l = Dialer.open(Artifact.open(fs, file));
      report(kind, prefix + ", as stored (version " + l.descriptor().version() + ")", l, test);
      if (System.getenv("NNZIP_STORED_ONLY") != null) {
        continue;
      }
      for (int bits : new int[] {2, 3, 4}) {
        if (System.getenv("NNZIP_DP_ONLY") == null) {
          report(kind, "base w1, w0 = w1 + Q" + bits + "(w0 - w1)", new Line(l.model(), l.descriptor(),
              rebuilt(l.w1(), l.w0(), l.shapes(), new UniformCodec(bits)), l.w1(), l.shapes()), test);
        }
        if (bits < 4) {
          report(kind, "base w1, w0 = w1 + DP" + bits + "(w0 - w1)", new Line(l.model(), l.descriptor(),
              rebuilt(l.w1(), l.w0(), l.shapes(), new DpCodec(bits)), l.w1(), l.shapes()), test);
        }
      }
      if (System.getenv("NNZIP_DP_ONLY") != null) {
        continue;
      }
      for (int bits : new int[] {3}) {
        report(kind, "base w0, w1 = w0 + Q" + bits + "(w1 - w0)",
            new Line(l.model(), l.descriptor(), l.w0(), rebuilt(l.w0(), l.w1(), l.shapes(), new UniformCodec(bits)),
                l.shapes()), test);
      }
    }
  }

  /** base + Q(other − base), matrices only (vectors exact). */
  private static Map<String, float[]> rebuilt(Map<String, float[]> base, Map<String, float[]> other,
      Map<String, long[]> shapes, ScalarCodec codec) {
    Map<String, float[]> out = new LinkedHashMap<>();
    base.forEach((k, b) -> {
      float[] o = other.get(k);
      if (shapes.get(k).length < 2) {
        out.put(k, o.clone());
        return;
      }
      float[] d = new float[b.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = o[i] - b[i];
      }
      ScalarCodec.Summary s = codec.newSummary(TensorLayout.alongAxis(new TensorSpec("d", DType.F32, shapes.get(k)), 0));
      s.add(d, d.length, 0);
      ScalarCodec.Quantizer q = codec.fit(s);
      int[] codes = new int[d.length];
      q.encode(d, d.length, 0, codes);
      float[] dq = new float[d.length];
      q.decode(codes, d.length, 0, dq);
      float[] r = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        r[i] = b[i] + dq[i];
      }
      out.put(k, r);
    });
    return out;
  }

  private static void report(String kind, String what, Line l, Dataset test) {
    StringBuilder b = new StringBuilder(String.format("%-13s %-36s", kind, what));
    for (double a : ALPHAS) {
      double acc = Evaluation.accuracy(new GraphSetup(l.dial(a), WeightPlan.allTrainable(Set.of()),
          GraphMode.INFERENCE).build(), test);
      b.append(String.format(" %6.2f", 100 * acc));
    }
    System.out.println(b);
    System.out.flush();
  }
}
