package nnzip.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import nnzip.Progress;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.GraphMode;
import nnzip.io.HadoopFiles;
import nnzip.train.CheckpointFile;
import nnzip.train.ChunkGradient;
import nnzip.train.EpochStats;
import nnzip.train.Evaluation;
import nnzip.train.GradientSource;
import nnzip.train.GraphSetup;
import nnzip.train.LocalGradients;
import nnzip.train.Optimizer;
import nnzip.train.ParameterValues;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingState;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Data-parallel training on Spark: the graph setup is broadcast once; each step broadcasts the
 * trainable parameters, executors compute the gradients of the step's chunks on their cached
 * graphs and training split, the driver sums them in chunk order (not with treeAggregate, whose
 * merge order follows the partitioning: the sum must not depend on the executor count), applies
 * the optimizer and moves on. The driver checkpoints every round and resumes from a checkpoint of
 * the same run.
 */
public final class TrainingJob {
  private TrainingJob() {}

  /**
   * What to run.
   *
   * @param setup the graph (TRAINING mode for gradient work)
   * @param data the data set reference; its split gives the training and validation parts
   * @param plan steps and chunks
   * @param optimizer the update rule
   * @param regularizer an extra loss term, or null
   * @param checkpoint checkpoint file, or null for none
   * @param fingerprint identity of the run, checked on resume
   * @param targets soft targets of the training split's examples (distillation), or null for the labels
   */
  public record Spec(GraphSetup setup, DataRef data, TrainingPlan plan, Optimizer optimizer,
      TrainingLoop.Regularizer regularizer, String checkpoint, String fingerprint, float[] targets) {
    /** A run on the labels. */
    public Spec(GraphSetup setup, DataRef data, TrainingPlan plan, Optimizer optimizer,
        TrainingLoop.Regularizer regularizer, String checkpoint, String fingerprint) {
      this(setup, data, plan, optimizer, regularizer, checkpoint, fingerprint, null);
    }
  }

  /**
   * Trains to the end of the plan.
   *
   * @param start the state to start from when no checkpoint exists
   * @return the final state
   */
  public static TrainingState run(JavaSparkContext sc, Spec spec, TrainingState start, Dataset validation,
      Progress progress) throws IOException {
    TrainingGraph evalGraph = spec.setup().withMode(GraphMode.INFERENCE).build();
    TrainingGraph probe = spec.setup().build();
    TrainingLoop loop = new TrainingLoop(spec.plan(), spec.optimizer(), probe.imported().batchNorms());
    if (spec.regularizer() != null) {
      loop.withRegularizer(spec.regularizer());
    }
    TrainingState state = start;
    Path ckpt = spec.checkpoint() == null ? null : new Path(spec.checkpoint());
    FileSystem fs = ckpt == null ? null : HadoopFiles.fileSystem(spec.checkpoint());
    if (ckpt != null) {
      var saved = CheckpointFile.read(fs, ckpt, spec.fingerprint());
      if (saved.isPresent()) {
        state = saved.get();
        progress.report("resuming from checkpoint " + ckpt + " at epoch " + state.epoch() + ", step " + state.step());
      }
    }
    String key = UUID.randomUUID().toString();
    Broadcast<GraphSetup> setup = sc.broadcast(spec.setup());
    int slices = Math.max(1, sc.defaultParallelism());
    Broadcast<float[]> targets = spec.targets() == null ? null : sc.broadcast(spec.targets());
    GradientSource source = new SparkGradients(sc, setup, spec.data(), targets, key, slices);
    TrainingPlan plan = spec.plan();
    try {
      return loop.run(state, source,
          s -> Evaluation.accuracy(evalGraph, s.params(), s.statistics(), validation),
          s -> {
            if (ckpt != null) {
              try {
                CheckpointFile.write(fs, ckpt, spec.fingerprint(), s);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
            if (s.step() > 0) {
              progress.report(String.format("epoch %d/%d step %d/%d loss %.4f", s.epoch(), plan.epochs(), s.step(),
                  plan.stepsPerEpoch(), s.epochLoss() / Math.max(1, s.epochSeen())));
            }
          },
          (EpochStats e) -> progress.report(String.format(
              "epoch %d/%d: train loss %.4f, validation accuracy %.2f%%, %.1f s (%.1f ms/step)", e.epoch(),
              plan.epochs(), e.trainLoss(), 100 * e.validationAccuracy(), e.seconds(), e.millisPerStep())));
    } finally {
      setup.destroy();
      if (targets != null) {
        targets.destroy();
      }
    }
  }

  /** Chunk gradients from executors, returned in chunk order. */
  static final class SparkGradients implements GradientSource {
    private final JavaSparkContext sc;
    private final Broadcast<GraphSetup> setup;
    private final DataRef data;
    private final Broadcast<float[]> targets;
    private final String key;
    private final int slices;

    SparkGradients(JavaSparkContext sc, Broadcast<GraphSetup> setup, DataRef data, Broadcast<float[]> targets,
        String key, int slices) {
      this.sc = sc;
      this.setup = setup;
      this.data = data;
      this.targets = targets;
      this.key = key;
      this.slices = slices;
    }

    @Override
    public List<ChunkGradient> gradients(ParameterValues params, List<int[]> chunks) {
      Broadcast<ParameterValues> p = sc.broadcast(params);
      List<Tuple2<Integer, int[]>> items = new ArrayList<>();
      for (int i = 0; i < chunks.size(); i++) {
        items.add(new Tuple2<>(i, chunks.get(i)));
      }
      Broadcast<GraphSetup> s = setup;
      DataRef d = data;
      Broadcast<float[]> soft0 = targets;
      String k = key;
      try {
        List<Tuple2<Integer, ChunkGradient>> out = new ArrayList<>(sc.parallelize(items, Math.min(slices, items.size()))
            .mapPartitions((Iterator<Tuple2<Integer, int[]>> it) -> {
              TrainingGraph g = ExecutorCache.borrow(k, s.value());
              try {
                g.setValues(p.value());
                Dataset train = ExecutorCache.train(d);
                float[] soft = soft0 == null ? null : soft0.value();
                List<Tuple2<Integer, ChunkGradient>> r = new ArrayList<>();
                while (it.hasNext()) {
                  Tuple2<Integer, int[]> c = it.next();
                  r.add(new Tuple2<>(c._1(), LocalGradients.chunkGradient(g, train, soft, c._2())));
                }
                return r.iterator();
              } finally {
                ExecutorCache.release(k, g);
              }
            }).collect());
        out.sort((a, b) -> Integer.compare(a._1(), b._1()));
        List<ChunkGradient> grads = new ArrayList<>(out.size());
        out.forEach(t -> grads.add(t._2()));
        return grads;
      } finally {
        p.destroy();
      }
    }
  }
}
