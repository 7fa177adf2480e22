package nnzip.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import nnzip.data.DataRef;
import nnzip.data.Dataset;
import nnzip.train.GraphSetup;
import nnzip.train.TrainingGraph;

/**
 * Per-JVM caches of executors: SameDiff graphs built from a broadcast {@link GraphSetup} (a pool,
 * since a graph is not thread-safe and an executor runs several tasks at once) and loaded training
 * splits. Building a graph or decoding a data set once per executor instead of once per step is
 * what makes per-step Spark jobs affordable.
 */
final class ExecutorCache {
  private static final Map<String, ConcurrentLinkedDeque<TrainingGraph>> GRAPHS = new ConcurrentHashMap<>();
  private static final Map<DataRef, Dataset> TRAIN = new ConcurrentHashMap<>();

  private ExecutorCache() {}

  /** A graph of run {@code key}, built from {@code setup} if the pool is empty. */
  static TrainingGraph borrow(String key, GraphSetup setup) {
    TrainingGraph g = GRAPHS.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).pollFirst();
    return g != null ? g : setup.build();
  }

  /** Returns a graph to its pool. */
  static void release(String key, TrainingGraph g) {
    GRAPHS.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).addFirst(g);
  }

  /** Drops the graphs of a finished run (in this JVM). */
  static void forget(String key) {
    GRAPHS.remove(key);
  }

  /** The training part of a data set's split, loaded once per JVM. */
  static Dataset train(DataRef data) {
    return TRAIN.computeIfAbsent(data, d -> d.split().train());
  }
}
