package nnzip.io.onnx;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import nnzip.InvalidInputException;
import nnzip.io.protobuf.ProtoMessage;

/**
 * The ONNX messages that restoring, dialing and channel removal read and edit, as live views over
 * {@link ProtoMessage}s (field numbers of onnx.proto; getters named as protobuf-java names them).
 * Everything not named here travels through untouched, so a model parsed and written back is the
 * same bytes; an edit writes what protobuf-java would. This is what lets the device dialer decode
 * an artifact with no protobuf runtime on its class path, through the very code {@code decompress}
 * runs.
 */
public final class OnnxProto {
  private OnnxProto() {}

  /** TensorProto.DataType numbers used by name here. */
  public static final int FLOAT = 1;
  public static final int INT32 = 6;
  public static final int INT64 = 7;
  /** TensorProto.DataLocation.EXTERNAL. */
  public static final int EXTERNAL = 1;

  /** A view of one message. */
  abstract static class View {
    final ProtoMessage m;

    View(ProtoMessage m) {
      this.m = m;
    }

    /** The message viewed (live). */
    public ProtoMessage message() {
      return m;
    }

    /** Serialized. */
    public byte[] toByteArray() {
      return m.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
      return o != null && o.getClass() == getClass() && m.equals(((View) o).m);
    }

    @Override
    public int hashCode() {
      return m.hashCode();
    }
  }

  private static <T> List<T> all(ProtoMessage m, int number, Function<ProtoMessage, T> view) {
    List<T> out = new ArrayList<>();
    for (ProtoMessage x : m.messages(number)) {
      out.add(view.apply(x));
    }
    return out;
  }

  private static List<Long> boxed(long[] v) {
    return Arrays.stream(v).boxed().toList();
  }

  /** ModelProto. */
  public static final class Model extends View {
    static final int IR_VERSION = 1;
    static final int GRAPH = 7;
    static final int METADATA_PROPS = 14;

    public Model(ProtoMessage m) {
      super(m);
    }

    /**
     * Parses a model, checking every message the views reach (graphs, nodes, attributes, tensors,
     * at any depth), so damage is reported here and not at some later read.
     *
     * @param what names the bytes in error messages
     * @throws InvalidInputException if the bytes are not an ONNX model
     */
    public static Model parse(byte[] bytes, String what) {
      Model model;
      try {
        model = new Model(ProtoMessage.parse(bytes));
        if (model.hasGraph()) {
          check(model.getGraph());
        }
        model.getMetadataPropsList();
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("not an ONNX model: " + what + " (" + e.getMessage() + ")", e);
      }
      // Many byte strings read as a message of unknown fields; a model has both of these.
      if (!model.hasGraph() || model.getIrVersion() <= 0) {
        throw new InvalidInputException("not an ONNX model: " + what + " (no graph or no ir_version)");
      }
      return model;
    }

    private static void check(Graph g) {
      g.getInitializerList().forEach(t -> t.getExternalDataList());
      g.getInputList().forEach(v -> v.message().message(ValueInfo.TYPE));
      g.getOutputList();
      g.getValueInfoList();
      for (Node n : g.getNodeList()) {
        for (Attribute a : n.getAttributeList()) {
          if (a.hasT()) {
            a.getT().getExternalDataList();
          }
          if (a.hasG()) {
            check(a.getG());
          }
          a.getGraphsList().forEach(Model::check);
        }
      }
    }

    public Model copy() {
      return new Model(m.copy());
    }

    public long getIrVersion() {
      return m.varint(IR_VERSION);
    }

    public boolean hasGraph() {
      return m.has(GRAPH);
    }

    /** The graph (live); an empty one is added when there is none. */
    public Graph getGraph() {
      ProtoMessage g = m.message(GRAPH);
      if (g == null) {
        g = new ProtoMessage();
        m.setMessage(GRAPH, g);
      }
      return new Graph(g);
    }

    public List<Entry> getMetadataPropsList() {
      return all(m, METADATA_PROPS, Entry::new);
    }

    /** Removes the metadata entries of this key. */
    public Model removeMetadata(String key) {
      m.removeMessages(METADATA_PROPS, e -> new Entry(e).getKey().equals(key));
      return this;
    }

    public Model addMetadata(String key, String value) {
      m.addMessage(METADATA_PROPS, Entry.of(key, value).message());
      return this;
    }
  }

  /** StringStringEntryProto. */
  public static final class Entry extends View {
    public Entry(ProtoMessage m) {
      super(m);
    }

    public static Entry of(String key, String value) {
      return new Entry(new ProtoMessage().setString(1, key).setString(2, value));
    }

    public String getKey() {
      return m.string(1);
    }

    public String getValue() {
      return m.string(2);
    }
  }

  /** GraphProto. */
  public static final class Graph extends View {
    static final int NODE = 1;
    static final int INITIALIZER = 5;
    static final int INPUT = 11;
    static final int OUTPUT = 12;
    static final int VALUE_INFO = 13;

    public Graph(ProtoMessage m) {
      super(m);
    }

    public List<Node> getNodeList() {
      return all(m, NODE, Node::new);
    }

    public int getNodeCount() {
      return m.count(NODE);
    }

    public Node getNode(int i) {
      return getNodeList().get(i);
    }

    public List<Tensor> getInitializerList() {
      return all(m, INITIALIZER, Tensor::new);
    }

    public int getInitializerCount() {
      return m.count(INITIALIZER);
    }

    public List<ValueInfo> getInputList() {
      return all(m, INPUT, ValueInfo::new);
    }

    public List<ValueInfo> getOutputList() {
      return all(m, OUTPUT, ValueInfo::new);
    }

    public List<ValueInfo> getValueInfoList() {
      return all(m, VALUE_INFO, ValueInfo::new);
    }

    public Graph clearValueInfo() {
      m.clear(VALUE_INFO);
      return this;
    }

    public Graph addInitializer(Tensor t) {
      m.addMessage(INITIALIZER, t.message());
      return this;
    }

    /** Removes the initializers that match. */
    public Graph removeInitializers(java.util.function.Predicate<Tensor> which) {
      m.removeMessages(INITIALIZER, t -> which.test(new Tensor(t)));
      return this;
    }
  }

  /** NodeProto. */
  public static final class Node extends View {
    public Node(ProtoMessage m) {
      super(m);
    }

    public List<String> getInputList() {
      return m.strings(1);
    }

    public int getInputCount() {
      return m.count(1);
    }

    public String getInput(int i) {
      return getInputList().get(i);
    }

    /** Appends an input (an optional one, such as a Conv's bias, after the others). */
    public Node addInput(String name) {
      m.addString(1, name);
      return this;
    }

    public List<String> getOutputList() {
      return m.strings(2);
    }

    public int getOutputCount() {
      return m.count(2);
    }

    public String getOutput(int i) {
      return getOutputList().get(i);
    }

    public String getName() {
      return m.string(3);
    }

    public String getOpType() {
      return m.string(4);
    }

    public List<Attribute> getAttributeList() {
      return all(m, 5, Attribute::new);
    }

    public String getDomain() {
      return m.string(7);
    }
  }

  /** AttributeProto. */
  public static final class Attribute extends View {
    public Attribute(ProtoMessage m) {
      super(m);
    }

    public String getName() {
      return m.string(1);
    }

    public long getI() {
      return m.varint(3);
    }

    public Attribute setI(long i) {
      m.setVarint(3, i);
      return this;
    }

    /** The s field as UTF-8 text. */
    public String getS() {
      return m.string(4);
    }

    public boolean hasT() {
      return m.has(5);
    }

    /** The tensor (live). */
    public Tensor getT() {
      return new Tensor(m.message(5));
    }

    public boolean hasG() {
      return m.has(6);
    }

    /** The graph (live). */
    public Graph getG() {
      return new Graph(m.message(6));
    }

    public List<Long> getIntsList() {
      return boxed(m.varints(8));
    }

    public List<Graph> getGraphsList() {
      return all(m, 11, Graph::new);
    }
  }

  /** TensorProto. */
  public static final class Tensor extends View {
    static final int DIMS = 1;
    static final int DATA_TYPE = 2;
    static final int FLOAT_DATA = 4;
    static final int INT32_DATA = 5;
    static final int INT64_DATA = 7;
    static final int NAME = 8;
    static final int RAW_DATA = 9;
    static final int DOUBLE_DATA = 10;
    static final int UINT64_DATA = 11;
    static final int EXTERNAL_DATA = 13;
    static final int DATA_LOCATION = 14;

    public Tensor(ProtoMessage m) {
      super(m);
    }

    /** A new float tensor with raw data. */
    public static Tensor floats(String name, long[] dims, byte[] raw) {
      return new Tensor(new ProtoMessage().setPackedVarints(DIMS, dims).setVarint(DATA_TYPE, FLOAT)
          .setString(NAME, name).setBytes(RAW_DATA, raw));
    }

    public String getName() {
      return m.string(NAME);
    }

    public long[] dims() {
      return m.varints(DIMS);
    }

    public List<Long> getDimsList() {
      return boxed(dims());
    }

    public int getDimsCount() {
      return dims().length;
    }

    public long getDims(int i) {
      return dims()[i];
    }

    public int getDataType() {
      return (int) m.varint(DATA_TYPE);
    }

    public int getDataLocation() {
      return (int) m.varint(DATA_LOCATION);
    }

    /** raw_data, read-only, little-endian, not copied. */
    public ByteBuffer getRawData() {
      return m.bytes(RAW_DATA);
    }

    public boolean hasRawData() {
      return m.bytesLength(RAW_DATA) > 0;
    }

    public int rawDataSize() {
      return m.bytesLength(RAW_DATA);
    }

    public float[] floatData() {
      long[] bits = m.fixeds(FLOAT_DATA, false);
      float[] v = new float[bits.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = Float.intBitsToFloat((int) bits[i]);
      }
      return v;
    }

    public double[] doubleData() {
      return Arrays.stream(m.fixeds(DOUBLE_DATA, true)).mapToDouble(Double::longBitsToDouble).toArray();
    }

    public long[] int32Data() {
      return m.varints(INT32_DATA);
    }

    public long[] int64Data() {
      return m.varints(INT64_DATA);
    }

    public long[] uint64Data() {
      return m.varints(UINT64_DATA);
    }

    public List<Entry> getExternalDataList() {
      return all(m, EXTERNAL_DATA, Entry::new);
    }

    public Tensor setDims(long[] dims) {
      m.setPackedVarints(DIMS, dims);
      return this;
    }

    /** Replaces every trace of the elements (typed fields, external data) by {@code raw}. */
    public Tensor setRawData(byte[] raw) {
      clearData();
      m.setBytes(RAW_DATA, raw);
      return this;
    }

    /** Removes the elements: raw_data, the typed fields, external data and its location. */
    public Tensor clearData() {
      for (int f : new int[] {RAW_DATA, FLOAT_DATA, DOUBLE_DATA, INT32_DATA, INT64_DATA, UINT64_DATA, EXTERNAL_DATA,
          DATA_LOCATION}) {
        m.clear(f);
      }
      return this;
    }
  }

  /** ValueInfoProto, with its tensor type's shape. */
  public static final class ValueInfo extends View {
    static final int TYPE = 2;

    public ValueInfo(ProtoMessage m) {
      super(m);
    }

    public String getName() {
      return m.string(1);
    }

    /** TypeProto.tensor_type, or null when the type is no tensor. */
    private ProtoMessage tensorType() {
      ProtoMessage type = m.message(TYPE);
      return type == null ? null : type.message(1);
    }

    public boolean hasTensorType() {
      return tensorType() != null;
    }

    /**
     * The declared shape: per dimension its value, or -1 for a symbolic or unknown one; null when
     * there is no tensor type or no shape.
     */
    public long[] shape() {
      ProtoMessage t = tensorType();
      ProtoMessage shape = t == null ? null : t.message(2);
      if (shape == null) {
        return null;
      }
      List<ProtoMessage> dims = shape.messages(1);
      long[] out = new long[dims.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = dims.get(i).has(1) ? dims.get(i).varint(1) : -1;
      }
      return out;
    }

    /** Declares a tensor type's shape as these fixed dims (only when it has a tensor type). */
    public ValueInfo setShape(long[] dims) {
      ProtoMessage t = tensorType();
      if (t == null) {
        return this;
      }
      ProtoMessage shape = new ProtoMessage();
      for (long d : dims) {
        shape.addMessage(1, new ProtoMessage().putVarint(1, d));
      }
      t.setMessage(2, shape);
      return this;
    }
  }
}
