package nnzip.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.codec.dp.DpCodec;
import nnzip.codec.uniform.UniformCodec;
import nnzip.io.StoredTensor;
import nnzip.tensor.DType;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

/** Which codec each tensor gets, in particular the tensors the passthrough rules keep under dp-bits. */
class CompressionSettingsTest {

  private static CompressionSettings settings(CodecKind codec, int keptBits) {
    return TestSettings.of(codec, 3, Scope.CHANNEL).keep(".*\\.bias").minElements(1024).shardBytes(1 << 20)
        .passthroughDpBits(keptBits)
        .aq(codec == CodecKind.AQ ? new nnzip.compress.aq.AqSettings(nnzip.codec.aq.AqParams.of(8, 2, 8), Scope.GLOBAL,
            nnzip.compress.aq.AqSettings.Normalization.RMS, 0, DType.F16, 2) : null)
        .build();
  }

  private static StoredTensor tensor(String name, DType dtype, long... shape) {
    return new StoredTensor(new TensorSpec(name, dtype, shape), "file:/m.safetensors", 0);
  }

  @Test
  void keptTensorsStayAsTheyAreWithoutDpBits() {
    CompressionSettings s = settings(CodecKind.DP, 0);
    assertTrue(s.taskFor(0, tensor("fc1.bias", DType.F32, 300)).isPassthrough());
    assertTrue(s.taskFor(0, tensor("fc3.weight", DType.F32, 10, 100)).isPassthrough());
    assertEquals(Scope.CHANNEL, s.taskFor(0, tensor("fc1.weight", DType.F32, 300, 784)).scope());
  }

  @Test
  void dpBitsCodesKeptTensorsPerTensorWhereThatIsSmaller() {
    CompressionSettings s = settings(CodecKind.DP, 5);
    TensorTask bias = s.taskFor(0, tensor("fc1.bias", DType.F32, 300));
    assertTrue(bias.codec() instanceof DpCodec);
    assertEquals(5, bias.codec().bits());
    assertEquals(Scope.TENSOR, bias.scope());
    // Kept by min-elements rather than by pattern or rank: coded the same way.
    assertEquals(5, s.taskFor(0, tensor("fc3.weight", DType.F32, 10, 100)).codec().bits());
    // 32 F32 levels (128 B) + 10 five-bit codes (7 B) ≥ 40 B: smaller as it is.
    assertTrue(s.taskFor(0, tensor("fc3.bias", DType.F32, 10)).isPassthrough());
    // Break-even in F16: 100 values are 200 B against 128 + 63 B coded.
    assertEquals(5, s.taskFor(0, tensor("b", DType.F16, 100)).codec().bits());
    assertTrue(s.taskFor(0, tensor("b", DType.F16, 90)).isPassthrough());
    assertTrue(s.taskFor(0, tensor("steps", DType.I64, 300)).isPassthrough(), "integers are never coded");
    // The main codec and scope still code the large tensors.
    TensorTask w = s.taskFor(0, tensor("fc1.weight", DType.F32, 300, 784));
    assertEquals(3, w.codec().bits());
    assertEquals(Scope.CHANNEL, w.scope());
  }

  @Test
  void uniformBitsCodesWhatDpBitsLeavesWhereThatIsSmaller() {
    CompressionSettings s = TestSettings.of(CodecKind.UNIFORM, 8, Scope.CHANNEL).keep(".*\\.bias").minElements(1024)
        .shardBytes(1 << 20).passthroughDpBits(5).passthroughUniformBits(8).build();
    // dp 5-bit pays on 300 values (128 B of levels + 188 B of codes < 1,200 B): dp as before.
    assertTrue(s.taskFor(0, tensor("fc1.bias", DType.F32, 300)).codec() instanceof DpCodec);
    // 10 values: dp levels cost more than the 40 B; min and step (8 B counted) + 10 B of codes do not.
    TensorTask small = s.taskFor(0, tensor("fc3.bias", DType.F32, 10));
    assertTrue(small.codec() instanceof nnzip.codec.uniform.UniformCodec);
    assertEquals(8, small.codec().bits());
    assertEquals(Scope.TENSOR, small.scope());
    // 2 F32 values (8 B) are no larger than min and step alone: kept as they are.
    assertTrue(s.taskFor(0, tensor("b", DType.F32, 2)).isPassthrough());
    assertTrue(s.taskFor(0, tensor("steps", DType.I64, 300)).isPassthrough(), "integers are never coded");
    assertThrows(IllegalArgumentException.class, () -> TestSettings.of(CodecKind.UNIFORM, 8, Scope.CHANNEL)
        .passthroughUniformBits(17).build());
  }

  @Test
  void dpBitsDoesNotApplyToAqOrPassthroughRecipes() {
    assertTrue(settings(CodecKind.PASSTHROUGH, 5).taskFor(0, tensor("fc1.bias", DType.F32, 300)).isPassthrough());
    TensorTask bias = settings(CodecKind.AQ, 5).taskFor(0, tensor("fc1.bias", DType.F32, 300));
    assertNull(bias.codec());
    assertTrue(bias.isPassthrough(), "aq keeps what the passthrough rules keep as it is");
    assertEquals(CodecKind.AQ, settings(CodecKind.AQ, 5).taskFor(0, tensor("fc1.weight", DType.F32, 300, 784)).kind());
  }

  @Test
  void dpBitsOutsideItsRangeIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(CodecKind.DP, 17));
    assertTrue(e.getMessage().contains("passthrough.dp-bits"), e.getMessage());
  }

  @Test
  void dpLevelsMustBuyTheirBytesAndRolesDecideForConstantsAndStatistics() {
    CompressionSettings s = TestSettings.of(CodecKind.UNIFORM, 8, Scope.CHANNEL).keep(".*\\.bias").minElements(1024)
        .shardBytes(1 << 20).passthroughDpBits(8).passthroughUniformBits(8)
        .normStatistics(CompressionSettings.NormStatistics.HALF).build();
    // 600 values: 256 F32 levels (1,024 B) are 13.5 bits per weight over uniform's 8 B: uniform.
    assertTrue(s.taskFor(0, tensor("a.bias", DType.F32, 600)).codec() instanceof nnzip.codec.uniform.UniformCodec);
    // 40,000 values: the levels' 1,016 B more are 0.2 bit per weight, within the 0.25 budget: dp.
    assertTrue(s.taskFor(0, tensor("b.bias", DType.F32, 40_000)).codec() instanceof DpCodec);
    // Just past the budget (32 × 1,016 = 32,512 values are where 0.25 bit pays for the levels).
    assertTrue(s.taskFor(0, tensor("c.bias", DType.F32, 32_511)).codec() instanceof nnzip.codec.uniform.UniformCodec);
    assertTrue(s.taskFor(0, tensor("d.bias", DType.F32, 32_512)).codec() instanceof DpCodec);
    // A constant an operator needs exactly stays as it is, whatever it would save.
    assertTrue(s.taskFor(0, tensor("scales", DType.F32, 4), 0, nnzip.io.WeightRole.EXACT).isPassthrough());
    // BatchNorm statistics: F16 from F32, kept from F16 (nothing to gain), as other tensors under CODE.
    assertEquals(CodecKind.HALF,
        s.taskFor(0, tensor("bn.var", DType.F32, 24), 0, nnzip.io.WeightRole.NORM_STATISTIC).kind());
    assertTrue(s.taskFor(0, tensor("bn.var", DType.F16, 24), 0, nnzip.io.WeightRole.NORM_STATISTIC).isPassthrough());
    CompressionSettings code = TestSettings.of(CodecKind.UNIFORM, 8, Scope.CHANNEL).minElements(1024).shardBytes(1 << 20)
        .passthroughDpBits(8).passthroughUniformBits(8).build();
    assertEquals(CodecKind.UNIFORM,
        code.taskFor(0, tensor("bn.var", DType.F32, 24), 0, nnzip.io.WeightRole.NORM_STATISTIC).kind());
  }

  @Test
  void tensorCodecRulesSetTheCodecOfTheTensorsTheyMatchOnly() {
    CompressionSettings s = settings(CodecKind.UNIFORM, 0)
        .withTensorCodec(new CompressionSettings.TensorCodec(Pattern.compile("d/.*"), new UniformCodec(2), null))
        .withTensorCodec(new CompressionSettings.TensorCodec(Pattern.compile("d/.*|e/.*"), new DpCodec(5),
            Scope.TENSOR));
    assertEquals(new UniformCodec(2), s.taskFor(0, tensor("d/fc1.weight", DType.F32, 300, 784)).codec(),
        "the first rule wins");
    assertEquals(new DpCodec(5), s.taskFor(0, tensor("e/fc1.weight", DType.F32, 300, 784)).codec());
    assertEquals(3, s.taskFor(0, tensor("fc1.weight", DType.F32, 300, 784)).codec().bits());
    assertEquals(Scope.CHANNEL, s.taskFor(0, tensor("d/fc1.weight", DType.F32, 300, 784)).scope());
    assertEquals(Scope.TENSOR, s.taskFor(0, tensor("e/fc1.weight", DType.F32, 300, 784)).scope());
    assertTrue(s.taskFor(0, tensor("d/fc1.bias", DType.F32, 300)).isPassthrough(), "the passthrough rules come first");
    // One global codebook has one width: a tensor at other bits gets its own per-channel fit.
    CompressionSettings global = TestSettings.of(CodecKind.DP, 3, Scope.GLOBAL).shardBytes(1 << 20).build()
        .withTensorCodec(new CompressionSettings.TensorCodec(Pattern.compile("d/.*"), new DpCodec(2), null));
    TensorTask d = global.taskFor(0, tensor("d/fc1.weight", DType.F32, 300, 784));
    assertTrue(d.codec() instanceof DpCodec);
    assertEquals(2, d.codec().bits());
    assertEquals(Scope.CHANNEL, d.scope());
    assertEquals(Scope.GLOBAL, global.taskFor(1, tensor("fc1.weight", DType.F32, 300, 784)).scope());
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionSettings.TensorCodec(Pattern.compile("x"), new DpCodec(2), Scope.BLOCK));
  }
}
