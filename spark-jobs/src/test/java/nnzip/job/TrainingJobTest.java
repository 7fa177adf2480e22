package nnzip.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnzip.Progress;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.graph.BatchNormWeights;
import nnzip.graph.GraphMode;
import nnzip.model.Architecture;
import nnzip.train.Evaluation;
import nnzip.train.GraphSetup;
import nnzip.train.LocalGradients;
import nnzip.train.Optimizer;
import nnzip.train.TrainingGraph;
import nnzip.train.TrainingLoop;
import nnzip.train.TrainingPlan;
import nnzip.train.TrainingState;
import nnzip.train.WeightPlan;
import onnx.Onnx;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on Spark (local[2]: chunks on two executor threads, sums on the driver)
 * reaches bit-identical parameters to the same plan run in one process, for models with BatchNorm
 * in training mode and residual joins (on the chain kernels), and a run resumed from its checkpoint
 * file ends where an uninterrupted one does.
 */
class TrainingJobTest {
  @TempDir static Path dir;
  static JavaSparkContext sc;
  static final DataRef DATA = new DataRef("fashion-mnist", 0.2, 3, 600);

  @BeforeAll
  static void start() {
    sc = JavaSparkContext.fromSparkContext(SparkSessions.create("local[2]", "training job test").sparkContext());
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  static GraphSetup setup(Architecture arch) {
    // BatchNorm's running statistics are updated from the chunks in chunk order.
    Onnx.ModelProto m = arch.build(new int[] {1, 28, 28}, 10, 5);
    return new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(BatchNormWeights.runningStatistics(m)),
        GraphMode.TRAINING);
  }

  @ParameterizedTest
  @EnumSource(value = Architecture.class, names = {"VGG_SMALL", "RESNET20"})
  void sparkStepsEqualSingleProcessStepsBitForBit(Architecture arch) throws Exception {
    GraphSetup setup = setup(arch);
    Dataset.Split split = DATA.split();
    TrainingPlan plan = new TrainingPlan(split.train().n(), 1, 64, 16, 3, 11);
    TrainingGraph g = setup.build();
    assertTrue(g.usesChainKernels());
    TrainingState start = TrainingState.start(g.values(), GraphSetup.statistics(g));
    TrainingGraph eval = setup.withMode(GraphMode.INFERENCE).build();
    TrainingState local = new TrainingLoop(plan, Optimizer.adam(1e-3), g.imported().batchNorms()).run(start,
        new LocalGradients(g, split.train()), s -> Evaluation.accuracy(eval, s.params(), s.statistics(),
            split.validation()), s -> { }, e -> { });
    TrainingState spark = TrainingJob.run(sc, new TrainingJob.Spec(setup, DATA, plan, Optimizer.adam(1e-3), null, null,
        "t"), start, split.validation(), Progress.SILENT);
    assertEquals(local.params(), spark.params());
    for (String k : local.statistics().keySet()) {
      assertEquals(java.util.Arrays.toString(local.statistics().get(k)), java.util.Arrays.toString(spark.statistics().get(k)),
          "running statistic " + k);
    }
    assertNotEquals(start.params(), spark.params());
    assertEquals(local.history().get(0).validationAccuracy(), spark.history().get(0).validationAccuracy());
  }

  @Test
  void aResumedRunEndsWhereAnUninterruptedOneDoes() throws Exception {
    Onnx.ModelProto m = Architecture.MLP_300_100.build(new int[] {1, 28, 28}, 10, 5);
    GraphSetup setup = new GraphSetup(m.toByteArray(), WeightPlan.allTrainable(java.util.Set.of()), GraphMode.TRAINING);
    Dataset.Split split = DATA.split();
    TrainingPlan plan = new TrainingPlan(split.train().n(), 2, 96, 32, 2, 13);
    TrainingGraph g = setup.build();
    TrainingState start = TrainingState.start(g.values(), GraphSetup.statistics(g));
    String ckpt = dir.resolve("run.ckpt").toUri().toString();
    TrainingState straight = TrainingJob.run(sc, new TrainingJob.Spec(setup, DATA, plan, Optimizer.adam(1e-3), null,
        null, "r"), start, split.validation(), Progress.SILENT);
    // A run that dies at its second checkpoint: the checkpoint file is what survives.
    List<String> messages = new ArrayList<>();
    RuntimeException killed = new RuntimeException("killed");
    try {
      TrainingJob.run(sc, new TrainingJob.Spec(setup, DATA, plan, Optimizer.adam(1e-3), null, ckpt, "r"), start,
          split.validation(), msg -> {
            messages.add(msg);
            if (messages.size() == 2) {
              throw killed;
            }
          });
    } catch (RuntimeException e) {
      assertEquals(killed, e);
    }
    List<String> resumedLog = new ArrayList<>();
    TrainingState resumed = TrainingJob.run(sc, new TrainingJob.Spec(setup, DATA, plan, Optimizer.adam(1e-3), null, ckpt,
        "r"), start, split.validation(), resumedLog::add);
    assertTrue(resumedLog.get(0).startsWith("resuming from checkpoint"), resumedLog.get(0));
    assertEquals(straight.params(), resumed.params());
    assertEquals(straight.history().size(), resumed.history().size());
  }
}
