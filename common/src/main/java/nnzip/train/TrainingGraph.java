package nnzip.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import nnzip.graph.ImportedGraph;
import nnzip.graph.ImportedGraph.BatchNormStats;
import nnzip.graph.OnnxGraphImporter;
import nnzip.train.chain.ChainEngine;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An imported classifier with a summed softmax cross-entropy loss on its logits, ready for
 * gradient computation. The graph's VARIABLE-type variables are its weights; the trainable
 * parameters are those of a {@link ParameterSpace} over them (the weights themselves, or the
 * codebooks / levels they are decoded from), so values in and gradients out are always in
 * parameter space. Gradients are sums over the examples of a chunk, so chunks of a batch add up to
 * the batch's gradient in any grouping. Mutable and not thread-safe: one instance per thread.
 */
public final class TrainingGraph {
  static final String LABEL = "nnzip.label";
  static final String LOSS = "nnzip.loss";

  private final ImportedGraph graph;
  private final SameDiff sd;
  private final List<String> trainable;
  private final List<long[]> shapes;
  private final List<String> outputs;
  private final ParameterSpace space;
  // The parameters last set: coded weights' chain rule may read them (aq reads its codes there).
  /** The parameters last set, decoded; null before the first {@link #setValues}. */
  private ParameterSpace.Decoded current;
  private boolean gradientReady;
  private final List<String> variables;
  /** The hand-written passes when kernels cover every layer of the graph, else null (SameDiff computes). */
  private ChainEngine chain;

  private TrainingGraph(ImportedGraph graph, List<String> trainable, List<long[]> shapes, WeightPlan plan) {
    this.graph = graph;
    this.space = new ParameterSpace(plan, trainable, shapes);
    this.variables = trainable.stream().map(OnnxGraphImporter::variableName).toList();
    this.sd = graph.sd();
    this.trainable = Collections.unmodifiableList(trainable);
    this.shapes = Collections.unmodifiableList(shapes);
    List<String> out = new ArrayList<>(List.of(LOSS, graph.logits()));
    for (BatchNormStats bn : graph.batchNorms()) {
      out.add(bn.batchMean());
      out.add(bn.batchVar());
    }
    this.outputs = List.copyOf(out);
    if (!graph.chain().isEmpty()) {
      long inputSize = java.util.Arrays.stream(graph.inputShape()).reduce(1, Math::multiplyExact);
      this.chain = new ChainEngine(graph.chain(), Math.toIntExact(inputSize), graph.numClasses());
    }
  }

  /**
   * Makes SameDiff compute every pass even where the hand-written chain kernels could (for
   * comparing the two, and for the benchmark's baseline).
   */
  public TrainingGraph sameDiffOnly() {
    chain = null;
    return this;
  }

  /** Whether the hand-written chain kernels compute this graph's passes. */
  public boolean usesChainKernels() {
    return chain != null;
  }

  /** Adds the loss to an imported graph whose every variable trains as it is. */
  public static TrainingGraph of(ImportedGraph graph) {
    return of(graph, WeightPlan.allTrainable(java.util.Set.of()));
  }

  /**
   * Adds the loss to an imported graph (before any output() call, as SameDiff requires).
   *
   * @param plan the plan the graph was imported with (its bindings define the parameters)
   */
  public static TrainingGraph of(ImportedGraph graph, WeightPlan plan) {
    SameDiff sd = graph.sd();
    SDVariable label = sd.placeHolder(LABEL, DataType.FLOAT, -1, graph.numClasses());
    sd.loss().softmaxCrossEntropy(LOSS, label, sd.getVariable(graph.logits()), null, LossReduce.SUM, 0.0);
    sd.setLossVariables(LOSS);
    List<String> names = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        names.add(OnnxGraphImporter.onnxName(v.name()));
        shapes.add(v.getArr().shape());
      }
    }
    return new TrainingGraph(graph, names, shapes, plan);
  }

  /** The imported graph underneath. */
  public ImportedGraph imported() {
    return graph;
  }

  /** Names of the trainable parameters, in a fixed order. */
  public List<String> trainable() {
    return space.names();
  }

  /** Names of the graph's weight variables, in graph order. */
  public List<String> weights() {
    return trainable;
  }

  /** The starting values of the trainable parameters, in {@link #trainable()} order. */
  public ParameterValues values() {
    float[][] v = new float[trainable.size()][];
    for (int i = 0; i < v.length; i++) {
      v[i] = flat(sd.getVariable(OnnxGraphImporter.variableName(trainable.get(i))).getArr());
    }
    return space.initial(new ParameterValues(trainable, shapes, v));
  }

  /**
   * Sets the trainable parameters (decoding coded weights).
   *
   * @throws IllegalArgumentException if the names or sizes differ from {@link #trainable()}
   */
  public void setValues(ParameterValues values) {
    ParameterSpace.Decoded decoded = space.decode(values, current);
    ParameterValues weights = decoded.weights();
    weights.requireSameLayout(trainable, shapes);
    for (int i = 0; i < trainable.size(); i++) {
      // Written into the variable's own buffer: a new array per step was the largest allocation cost.
      INDArray arr = sd.getVariable(OnnxGraphImporter.variableName(trainable.get(i))).getArr();
      if (arr.isView() || arr.ordering() != 'c' || arr.data().length() != weights.values()[i].length) {
        sd.getVariable(OnnxGraphImporter.variableName(trainable.get(i)))
            .setArray(Nd4j.create(weights.values()[i].clone(), shapes.get(i), 'c'));
      } else {
        arr.data().asNioFloat().put(0, weights.values()[i]); // one bulk copy; setData went element by element
      }
    }
    // The weights now live in the variables; what the chain rule and the next decode read is kept.
    current = decoded.withoutWeights();
  }

  /** The parameters last set, or the starting ones, decoded. */
  private ParameterSpace.Decoded current() {
    return current != null ? current : space.decode(values());
  }

  /** Sets one weight that is not trainable (a constant such as a BatchNorm running statistic). */
  public void setConstant(String name, float[] value) {
    INDArray arr = sd.getVariable(OnnxGraphImporter.variableName(name)).getArr();
    arr.assign(Nd4j.create(value, arr.shape(), 'c'));
  }

  /**
   * The gradient of the summed loss over one chunk of examples.
   *
   * @param x features, length n·(product of the input shape), row-major
   * @param y classes, length ≥ n
   * @param n examples, ≥ 1
   */
  public ChunkGradient gradient(float[] x, int[] y, int n) {
    return gradient(x, y, null, n);
  }

  /**
   * The gradient of the summed cross-entropy against soft targets (distillation), or against the
   * labels when {@code targets} is null; accuracy is always counted against the labels.
   *
   * @param targets n × numClasses target distributions, row-major, or null
   */
  public ChunkGradient gradient(float[] x, int[] y, float[] targets, int n) {
    if (chain != null) {
      ChainEngine.Result r = chain.gradient(x, y, targets, n, this::weight);
      float[][] grads = new float[trainable.size()][];
      for (int i = 0; i < grads.length; i++) {
        float[] g = r.gradients().get(trainable.get(i));
        grads[i] = g != null ? g : zeros(i);
      }
      int correct = correct(r.logits(), y, n, graph.numClasses());
      return new ChunkGradient(space.toParameters(current(), grads), r.loss(), correct, n, r.batchStats());
    }
    if (!gradientReady) {
      buildGradientQuietly();
    }
    INDArray label = targets == null ? oneHot(y, n) : Nd4j.create(targets, new long[] {n, graph.numClasses()}, 'c');
    Map<String, INDArray> feed = Map.of(graph.input(), input(x, n), LABEL, label);
    OutAndGrad r = sd.calculateGradientsAndOutputs(feed, outputs, variables);
    float[][] grads = new float[trainable.size()][];
    for (int i = 0; i < grads.length; i++) {
      INDArray g = r.getGradients().get(OnnxGraphImporter.variableName(trainable.get(i)));
      grads[i] = g == null ? zeros(i) : flat(g);
    }
    Map<String, INDArray> out = r.getOutputs();
    float[] logits = flat(out.get(graph.logits()));
    int correct = correct(logits, y, n, graph.numClasses());
    List<float[]> stats = new ArrayList<>();
    for (BatchNormStats bn : graph.batchNorms()) {
      stats.add(flat(out.get(bn.batchMean())));
      stats.add(flat(out.get(bn.batchVar())));
    }
    return new ChunkGradient(space.toParameters(current(), grads), out.get(LOSS).getDouble(0), correct, n, stats);
  }

  /**
   * SameDiff announces every op it differentiates on stdout ("Added differentiated op ..."), which
   * would corrupt --json output: build the gradient function once, with stdout silenced. (Only
   * graphs that train get one: inference-mode BatchNorm has no derivative op in M2.1.)
   */
  private void buildGradientQuietly() {
    synchronized (System.class) {
      java.io.PrintStream stdout = System.out;
      System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
      try {
        sd.createGradFunction();
      } finally {
        System.setOut(stdout);
      }
    }
    gradientReady = true;
  }

  /** Logits for n examples, [n, numClasses] row-major. */
  public float[] logits(float[] x, int n) {
    if (chain != null) {
      return chain.logits(x, n, this::weight);
    }
    INDArray out = sd.output(Map.of(graph.input(), input(x, n)), graph.logits()).get(graph.logits());
    return flat(out);
  }

  /**
   * The values of inner tensors of the graph for n examples, by their ONNX names (SameDiff's
   * forward pass, in the graph's mode), each with its shape.
   *
   * @throws IllegalArgumentException if a name is no tensor of the imported graph
   */
  public Map<String, FloatTensor> activations(float[] x, int n, java.util.Collection<String> onnxNames) {
    List<String> names = new ArrayList<>();
    for (String t : onnxNames) {
      String v = OnnxGraphImporter.variableName(t);
      if (!sd.hasVariable(v)) {
        throw new IllegalArgumentException("tensor '" + t + "' is not in the imported graph");
      }
      names.add(v);
    }
    Map<String, INDArray> out = sd.output(Map.of(graph.input(), input(x, n)), names.toArray(String[]::new));
    Map<String, FloatTensor> result = new java.util.LinkedHashMap<>();
    for (String v : names) {
      INDArray a = out.get(v);
      result.put(OnnxGraphImporter.onnxName(v), FloatTensor.of(OnnxGraphImporter.onnxName(v), flat(a), a.shape()));
    }
    return result;
  }

  /** A zero gradient for weight i (one the loss does not depend on). */
  private float[] zeros(int i) {
    return new float[Math.toIntExact(java.util.Arrays.stream(shapes.get(i)).reduce(1, Math::multiplyExact))];
  }

  /** The current array of a weight, by key. */
  private INDArray weight(String key) {
    return sd.getVariable(OnnxGraphImporter.variableName(key)).getArr();
  }

  /** Number of the first n examples whose largest logit is at their label. */
  static int correct(float[] logits, int[] y, int n, int k) {
    int[] predicted = new int[n];
    Dense.argmax(logits, n, k, predicted, 0);
    int correct = 0;
    for (int i = 0; i < n; i++) {
      correct += predicted[i] == y[i] ? 1 : 0;
    }
    return correct;
  }

  private INDArray input(float[] x, int n) {
    long[] shape = new long[graph.inputShape().length + 1];
    shape[0] = n;
    System.arraycopy(graph.inputShape(), 0, shape, 1, graph.inputShape().length);
    return Nd4j.create(x, shape, 'c');
  }

  private INDArray oneHot(int[] y, int n) {
    int k = graph.numClasses();
    float[] h = new float[n * k];
    for (int i = 0; i < n; i++) {
      h[i * k + y[i]] = 1f;
    }
    return Nd4j.create(h, new long[] {n, k}, 'c');
  }

  static float[] flat(INDArray a) {
    INDArray whole = !a.isView() && a.ordering() == 'c' && a.data().length() == a.length() ? a : a.dup('c');
    float[] v = new float[Math.toIntExact(whole.length())];
    whole.data().asNioFloat().get(0, v); // one bulk copy; asFloat() went element by element
    return v;
  }
}
