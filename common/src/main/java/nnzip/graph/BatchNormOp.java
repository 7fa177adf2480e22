package nnzip.graph;

import java.util.Arrays;
import nnzip.graph.OnnxOps.Result;
import onnx.Onnx.NodeProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * BatchNormalization over axis 1: y = scale·(x − mean)/√(var + ε) + bias, from elementary
 * differentiable ops in both modes. In {@link GraphMode#INFERENCE} mean and var are the running
 * statistics; in {@link GraphMode#TRAINING} they are the batch's mean and biased variance over
 * every axis but 1, named so that the trainer can fetch them (see {@link
 * ImportedGraph.BatchNormStats}).
 */
final class BatchNormOp {
  /** Suffixes of the batch-statistics variables, after the node output's variable name. */
  static final String BATCH_MEAN = ".batch_mean";
  static final String BATCH_VAR = ".batch_var";

  private BatchNormOp() {}

  static Result map(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    if (n.getInputCount() != 5) {
      throw a.unsupported(n.getInputCount() + " inputs (expected X, scale, B, mean, var)");
    }
    if (a.integer("spatial", 1) != 1) {
      throw a.unsupported("attribute 'spatial' = 0");
    }
    if (xs.length < 2 || xs[1] < 1) {
      throw a.unsupported("an input of shape " + Arrays.toString(xs) + " (needs a fixed channel dimension 1)");
    }
    for (int i = 1; i < 5; i++) {
      long[] s = g.shapeOf(n, i);
      if (s.length != 1 || s[0] != xs[1]) {
        throw a.unsupported("input " + i + " of shape " + Arrays.toString(s) + " for " + xs[1] + " channels");
      }
    }
    // training_mode (opset ≥ 14) is ignored: the GraphMode decides.
    double eps = a.real("epsilon", 1e-5f);
    float momentum = a.real("momentum", 0.9f);
    SameDiff sd = g.sd();
    SDVariable scale = g.input(n, 1);
    SDVariable bias = g.input(n, 2);
    // Running statistics are bound in both modes, so the trainer can read and update them.
    SDVariable runningMean = g.input(n, 3);
    SDVariable runningVar = g.input(n, 4);
    long[] perChannel = new long[xs.length];
    Arrays.fill(perChannel, 1);
    perChannel[1] = xs[1];
    if (g.mode() == GraphMode.INFERENCE) {
      // y = x·factor + shift, factor = scale/√(var + ε), shift = bias − mean·factor: the
      // derivative of SameDiff's own batchnorm op fails in M2.1 ("Invalid axis argument"), and
      // finetuning with frozen statistics needs gradients through inference-mode graphs.
      SDVariable factor = scale.div(sd.math().sqrt(runningVar.add(eps)));
      SDVariable shift = bias.sub(runningMean.mul(factor));
      return new Result(x.mul(sd.reshape(factor, perChannel)).add(sd.reshape(shift, perChannel)), xs);
    }
    String meanKey = g.keyOf(n, 3);
    String varKey = g.keyOf(n, 4);
    if (meanKey == null || varKey == null) {
      throw a.unsupported("running statistics that are not weights (training updates them)");
    }
    int[] axes = new int[xs.length - 1];
    for (int i = 1; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    String base = OnnxGraphImporter.variableName(n.getOutput(0));
    SDVariable mean = sd.mean(g.freshName(base + BATCH_MEAN), x, axes);
    SDVariable centered = x.sub(sd.reshape(mean, perChannel));
    SDVariable var = sd.mean(g.freshName(base + BATCH_VAR), centered.mul(centered), axes);
    SDVariable y = centered.div(sd.reshape(sd.math().sqrt(var.add(eps)), perChannel))
        .mul(sd.reshape(scale, perChannel)).add(sd.reshape(bias, perChannel));
    g.addBatchNorm(new ImportedGraph.BatchNormStats(meanKey, varKey, mean.name(), var.name(), momentum));
    return new Result(y, xs);
  }
}
