package nnzip.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import onnx.Onnx;
import org.junit.jupiter.api.Test;

/** Output-channel axes read off the operators that consume each weight. */
class ChannelAxesTest {

  private static Onnx.TensorProto weight(String name, long... dims) {
    Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
        .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
    long n = 1;
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    for (long i = 0; i < n; i++) {
      t.addFloatData(i);
    }
    return t.build();
  }

  private static Onnx.NodeProto node(String op, String out, String... inputs) {
    Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder().setOpType(op).addOutput(out);
    for (String in : inputs) {
      b.addInput(in);
    }
    return b.build();
  }

  private static Onnx.NodeProto gemm(String out, String a, String b, long transB) {
    return node("Gemm", out, a, b).toBuilder().addAttribute(Onnx.AttributeProto.newBuilder().setName("transB")
        .setType(Onnx.AttributeProto.AttributeType.INT).setI(transB)).build();
  }

  @Test
  void eachOperatorGivesItsOutputChannelAxis() {
    Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
        .addInitializer(weight("conv.w", 4, 3, 2, 2))
        .addInitializer(weight("deconv.w", 4, 6, 2, 2))
        .addInitializer(weight("fc.w", 5, 4))
        .addInitializer(weight("fcT.w", 4, 5))
        .addInitializer(weight("mm.w", 5, 7))
        .addInitializer(weight("shared.w", 5, 5))
        .addInitializer(weight("lonely.w", 3, 3))
        .addNode(node("Conv", "c", "x", "conv.w"))
        .addNode(node("ConvTranspose", "d", "c", "deconv.w"))
        .addNode(gemm("f", "d", "fc.w", 1))
        .addNode(gemm("g", "f", "fcT.w", 0))
        .addNode(node("MatMul", "h", "g", "mm.w"))
        .addNode(node("MatMul", "i", "h", "shared.w"))
        .addNode(gemm("j", "i", "shared.w", 1))
        .addNode(gemm("k", "j", "head.w", 1).toBuilder().addInput("fc.bias").build())
        .addNode(node("Relu", "l", "k"))
        .build();
    Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build();
    Map<String, Integer> axes = ChannelAxes.of(OnnxWeights.of(m));
    assertEquals(0, axes.get("conv.w"), "Conv weight [out, in, kh, kw]");
    assertEquals(1, axes.get("deconv.w"), "ConvTranspose weight [in, out, kh, kw]");
    assertEquals(0, axes.get("fc.w"), "Gemm transB=1 weight [out, in]");
    assertEquals(1, axes.get("fcT.w"), "Gemm transB=0 weight [in, out]");
    assertEquals(1, axes.get("mm.w"), "MatMul right operand [in, out]");
    assertEquals(0, axes.get("shared.w"), "consumers that disagree fall back to axis 0");
    assertEquals(0, axes.get("lonely.w"), "no consumer: axis 0");
    assertEquals(null, ChannelAxes.axisOf(node("Gemm", "k", "j", "fc.w", "fc.bias"), 2), "a Gemm bias is no weight operand");
    assertEquals(null, ChannelAxes.axisOf(node("Relu", "l", "k"), 0));
  }

  @Test
  void rolesSayWhichSmallConstantsMayBeCoded() {
    Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
        .addInitializer(weight("conv.w", 4, 3, 2, 2))
        .addInitializer(weight("bn.scale", 4))
        .addInitializer(weight("bn.bias", 4))
        .addInitializer(weight("bn.mean", 4))
        .addInitializer(weight("bn.var", 4))
        .addInitializer(weight("shared.var", 4))
        .addInitializer(weight("bn2.mean", 4))
        .addInitializer(weight("resize.scales", 4))
        .addInitializer(weight("clip.max", 1))
        .addInitializer(weight("cls", 1, 4))
        .addInitializer(weight("pad.value", 1))
        .addNode(node("Conv", "c", "x", "conv.w"))
        .addNode(node("BatchNormalization", "b", "c", "bn.scale", "bn.bias", "bn.mean", "bn.var"))
        .addNode(node("BatchNormalization", "b2", "b", "bn.scale", "bn.bias", "bn2.mean", "shared.var"))
        .addNode(node("Add", "a", "b2", "shared.var"))
        .addNode(node("Resize", "r", "a", "", "resize.scales"))
        .addNode(node("Clip", "y", "r", "", "clip.max"))
        .addNode(node("Expand", "e", "cls", "shape"))
        .addNode(node("Concat", "z", "e", "y"))
        .addNode(node("Pad", "p", "z", "pads", "pad.value"))
        .build();
    Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build();
    Map<String, nnzip.io.WeightRole> roles = ChannelAxes.roles(OnnxWeights.of(m));
    assertEquals(Map.of("bn.mean", nnzip.io.WeightRole.NORM_STATISTIC, "bn.var", nnzip.io.WeightRole.NORM_STATISTIC,
        "bn2.mean", nnzip.io.WeightRole.NORM_STATISTIC, "resize.scales", nnzip.io.WeightRole.EXACT,
        "clip.max", nnzip.io.WeightRole.EXACT, "pad.value", nnzip.io.WeightRole.EXACT), roles,
        "weights (conv.w, BatchNorm scale and bias, a class token expanded and concatenated) are not listed; a"
            + " statistic another operator also adds is a weight");
  }

  @Test
  void perAlphaStatisticsBesideTheGraphAreStatistics() {
    Onnx.GraphProto g = Onnx.GraphProto.newBuilder()
        .addInitializer(weight("bn.scale", 4))
        .addInitializer(weight("bn.bias", 4))
        .addInitializer(weight("bn.mean", 4))
        .addInitializer(weight("bn.var", 4))
        .addInitializer(weight(nnzip.io.WeightRole.NORM_STATISTIC_PREFIX + "0/bn.mean", 4))
        .addInitializer(weight("nnzip.line0-1/bn.scale", 4))
        .addNode(node("BatchNormalization", "b", "x", "bn.scale", "bn.bias", "bn.mean", "bn.var"))
        .build();
    Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build();
    assertEquals(Map.of("bn.mean", nnzip.io.WeightRole.NORM_STATISTIC, "bn.var", nnzip.io.WeightRole.NORM_STATISTIC,
        nnzip.io.WeightRole.NORM_STATISTIC_PREFIX + "0/bn.mean", nnzip.io.WeightRole.NORM_STATISTIC),
        ChannelAxes.roles(OnnxWeights.of(m)), "an unread tensor of another name is a weight");
  }
}
