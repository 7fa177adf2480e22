package nnzip.io.onnx;

import static nnzip.io.onnx.OnnxProtos.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

/**
 * The five test models, each with the weights put into it, in the expected walk order. Input "X"
 * is float; nested models also take boolean scalars "c1" and "c2"; the output is float.
 */
final class TestModels {
  private TestModels() {}

  /** A model, the expected spec and bytes of each weight by key in walk order, and its file if written. */
  record TestModel(ModelProto model, Map<String, TensorSpec> specs, Map<String, byte[]> bytes, Path file) {
    float[] floats(String key) {
      return OnnxProtos.floats(bytes.get(key));
    }
  }

  /** Collects expectations while a model is built. */
  private static final class Expect {
    final Map<String, TensorSpec> specs = new LinkedHashMap<>();
    final Map<String, byte[]> bytes = new LinkedHashMap<>();
    final SplittableRandom rng;

    Expect(long seed) {
      rng = new SplittableRandom(seed);
    }

    /** A random float tensor named {@code name} whose weight key is {@code key}, stored as raw_data. */
    TensorProto floats(String key, String name, long... dims) {
      float[] v = random(rng, (int) new TensorSpec(key, DType.F32, dims).numElements());
      record(key, DType.F32, le(v), dims);
      return rawFloats(name, v, dims);
    }

    void record(String key, DType dtype, byte[] raw, long... dims) {
      specs.put(key, new TensorSpec(key, dtype, dims));
      bytes.put(key, raw);
    }

    TestModel done(ModelProto m, Path file) {
      return new TestModel(m, specs, bytes, file);
    }
  }

  /** (a) X[2,4] → Gemm(W1[4,5], b1) → Relu → Gemm(W2[5,3], b2) → Y[2,3], weights as initializers. */
  static TestModel mlp(long seed) {
    Expect e = new Expect(seed);
    List<TensorProto> inits = List.of(e.floats("W1", "W1", 4, 5), e.floats("b1", "b1", 5),
        e.floats("W2", "W2", 5, 3), e.floats("b2", "b2", 3));
    GraphProto g = graph("mlp", List.of(
        node("Gemm", "gemm1", List.of("X", "W1", "b1"), List.of("h")),
        node("Relu", "relu", List.of("h"), List.of("r")),
        node("Gemm", "gemm2", List.of("r", "W2", "b2"), List.of("Y"))),
        inits, List.of(floatInfo("X", 2, 4)), List.of(floatInfo("Y", 2, 3)));
    return e.done(model(g), null);
  }

  /** (b) Paddle style: Y = Reshape(X[2,4]·W + b, [3,2]) with W and b in Constant nodes, shape as value_ints. */
  static TestModel constants(long seed) {
    Expect e = new Expect(seed);
    GraphProto g = graph("constants", List.of(
        constant("W", e.floats("W", "W_value", 4, 3)),
        constant("b", e.floats("b", "b_value", 3)),
        node("Constant", "const_shape", List.of(), List.of("shape"), intsAttr("value_ints", 3, 2)),
        node("MatMul", "mm", List.of("X", "W"), List.of("xw")),
        node("Add", "add", List.of("xw", "b"), List.of("y0")),
        node("Reshape", "reshape", List.of("y0", "shape"), List.of("Y"))),
        List.of(), List.of(floatInfo("X", 2, 4)), List.of(floatInfo("Y", 3, 2)));
    return e.done(model(g), null);
  }

  /**
   * (c) Y = scale * If(c1, then: If(c2, then: X·W_t*s_tt + b_tt, else: (X·W_t − b_te)*k_te),
   * else: X·W_e + b_e) for X[1,4]; every branch holds its own initializers and Constant nodes.
   */
  static TestModel nested(long seed) {
    Expect e = new Expect(seed);
    String t = "If_outer/then_branch/";
    TensorProto scale = e.floats("scale", "scale", 3);
    TensorProto wt = e.floats(t + "W_t", "W_t", 4, 3);
    TensorProto stt = e.floats(t + "If_inner/then_branch/s_tt", "s_tt", 3);
    TensorProto btt = e.floats(t + "If_inner/then_branch/b_tt", "b_tt_value", 3);
    TensorProto bte = e.floats(t + "If_inner/else_branch/b_te", "b_te", 3);
    TensorProto kte = e.floats(t + "If_inner/else_branch/k_te", "k_te_value", 3);
    TensorProto be = e.floats("If_outer/else_branch/b_e", "b_e", 3);
    TensorProto we = e.floats("If_outer/else_branch/W_e", "W_e_value", 4, 3);
    GraphProto innerThen = graph("inner_then", List.of(constant("b_tt", btt),
        node("Mul", "mul_tt", List.of("h_t", "s_tt"), List.of("m_tt")),
        node("Add", "add_tt", List.of("m_tt", "b_tt"), List.of("y_tt"))),
        List.of(stt), List.of(), List.of(floatInfo("y_tt", 1, 3)));
    GraphProto innerElse = graph("inner_else", List.of(constant("k_te", kte),
        node("Sub", "sub_te", List.of("h_t", "b_te"), List.of("d_te")),
        node("Mul", "mul_te", List.of("d_te", "k_te"), List.of("y_te"))),
        List.of(bte), List.of(), List.of(floatInfo("y_te", 1, 3)));
    GraphProto outerThen = graph("outer_then", List.of(
        node("MatMul", "mm_t", List.of("X", "W_t"), List.of("h_t")),
        node("If", "If_inner", List.of("c2"), List.of("y_t"),
            graphAttr("then_branch", innerThen), graphAttr("else_branch", innerElse))),
        List.of(wt), List.of(), List.of(floatInfo("y_t", 1, 3)));
    GraphProto outerElse = graph("outer_else", List.of(constant("W_e", we),
        node("MatMul", "mm_e", List.of("X", "W_e"), List.of("h_e")),
        node("Add", "add_e", List.of("h_e", "b_e"), List.of("y_e"))),
        List.of(be), List.of(), List.of(floatInfo("y_e", 1, 3)));
    GraphProto g = graph("nested", List.of(
        node("If", "If_outer", List.of("c1"), List.of("y_if"),
            graphAttr("then_branch", outerThen), graphAttr("else_branch", outerElse)),
        node("Mul", "mul_scale", List.of("y_if", "scale"), List.of("Y"))),
        List.of(scale), List.of(floatInfo("X", 1, 4), boolInfo("c1"), boolInfo("c2")), List.of(floatInfo("Y", 1, 3)));
    return e.done(model(g), null);
  }

  /**
   * (d) Y = (X[2,4]·W + b) * s with W at offset 0 and b at offset 64 of {@code data/weights.bin}
   * next to {@code model.onnx} in {@code dir}; s stays inline.
   */
  static TestModel external(long seed, Path dir) throws IOException {
    Expect e = new Expect(seed);
    TensorProto w = external(e.floats("W", "W", 4, 3), "data/weights.bin", 0);
    TensorProto b = external(e.floats("b", "b", 3), "data/weights.bin", 64);
    TensorProto s = e.floats("s", "s", 3);
    byte[] file = new byte[64 + 12];
    System.arraycopy(e.bytes.get("W"), 0, file, 0, 48);
    System.arraycopy(e.bytes.get("b"), 0, file, 64, 12);
    Files.createDirectories(dir.resolve("data"));
    Files.write(dir.resolve("data/weights.bin"), file);
    GraphProto g = graph("external", List.of(
        node("MatMul", "mm", List.of("X", "W"), List.of("xw")),
        node("Add", "add", List.of("xw", "b"), List.of("y0")),
        node("Mul", "mul", List.of("y0", "s"), List.of("Y"))),
        List.of(w, b, s), List.of(floatInfo("X", 2, 4)), List.of(floatInfo("Y", 2, 3)));
    ModelProto m = model(g);
    Path onnx = dir.resolve("model.onnx");
    Files.write(onnx, m.toByteArray());
    return e.done(m, onnx);
  }

  /** Moves a tensor's raw_data out to {@code location} at {@code offset}. */
  static TensorProto external(TensorProto t, String location, long offset) {
    return t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", location))
        .addExternalData(entry("offset", Long.toString(offset)))
        .addExternalData(entry("length", Integer.toString(t.getRawData().size()))).build();
  }

  static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  /**
   * (e) Y = Reshape(X[2,4]·W + Cast(b16), shape) with W in float_data, b16 a FLOAT16 tensor in
   * int32_data and shape = [3, 2] an INT64 tensor in int64_data.
   */
  static TestModel typed(long seed) {
    Expect e = new Expect(seed);
    float[] w = random(e.rng, 12);
    e.record("W", DType.F32, le(w), 4, 3);
    TensorProto.Builder b16 = TensorProto.newBuilder().setName("b16").setDataType(TensorProto.DataType.FLOAT16_VALUE).addDims(3);
    ByteBuffer half = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : random(e.rng, 3)) {
      short h = FloatCodec.floatToHalf(f);
      b16.addInt32Data(h & 0xFFFF);
      half.putShort(h);
    }
    e.record("b16", DType.F16, half.array(), 3);
    TensorProto shape = TensorProto.newBuilder().setName("shape").setDataType(TensorProto.DataType.INT64_VALUE)
        .addDims(2).addInt64Data(3).addInt64Data(2).build();
    e.record("shape", DType.I64, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(2).array(), 2);
    GraphProto g = graph("typed", List.of(
        node("Cast", "cast", List.of("b16"), List.of("b"), intAttr("to", TensorProto.DataType.FLOAT_VALUE)),
        node("MatMul", "mm", List.of("X", "W"), List.of("xw")),
        node("Add", "add", List.of("xw", "b"), List.of("y0")),
        node("Reshape", "reshape", List.of("y0", "shape"), List.of("Y"))),
        List.of(typedFloats("W", w, 4, 3), b16.build(), shape),
        List.of(floatInfo("X", 2, 4)), List.of(floatInfo("Y", 3, 2)));
    return e.done(model(g), null);
  }
}
