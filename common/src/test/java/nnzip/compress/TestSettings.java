package nnzip.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.aq.AqSettings;

/**
 * Compression settings for tests, named component by component. A recipe's defaults live only in
 * reference.conf; these are a test's own starting point: nothing kept by name, every tensor of
 * rank ≤ 1 kept, kept tensors stored as they are (no passthrough dp or uniform bits, BatchNorm
 * statistics like any other kept tensor), 4 KiB shards, bit-packed codes, NaN/Inf rejected, seed 1.
 */
public final class TestSettings {
  private final CodecKind codec;
  private final int bits;
  private final Scope scope;
  private final List<Pattern> keep = new ArrayList<>();
  private long minElements;
  private int maxRank = 1;
  private long shardBytes = 4096;
  private CompressionSettings.CodeStreams codeStreams = CompressionSettings.CodeStreams.PACKED;
  private int passthroughDpBits;
  private int passthroughUniformBits;
  private AqSettings aq;
  private CompressionSettings.NormStatistics normStatistics = CompressionSettings.NormStatistics.CODE;

  private TestSettings(CodecKind codec, int bits, Scope scope) {
    this.codec = codec;
    this.bits = bits;
    this.scope = scope;
  }

  /** Settings of {@code codec} at {@code bits} and {@code scope}, the rest as the class says. */
  public static TestSettings of(CodecKind codec, int bits, Scope scope) {
    return new TestSettings(codec, bits, scope);
  }

  /** Tensors whose whole name matches {@code regex} are kept (passthrough.patterns). */
  public TestSettings keep(String regex) {
    keep.add(Pattern.compile(regex));
    return this;
  }

  /** passthrough.min-elements */
  public TestSettings minElements(long n) {
    minElements = n;
    return this;
  }

  /** shard-bytes */
  public TestSettings shardBytes(long n) {
    shardBytes = n;
    return this;
  }

  /** entropy */
  public TestSettings codeStreams(CompressionSettings.CodeStreams streams) {
    codeStreams = streams;
    return this;
  }

  /** passthrough.dp-bits */
  public TestSettings passthroughDpBits(int b) {
    passthroughDpBits = b;
    return this;
  }

  /** passthrough.uniform-bits */
  public TestSettings passthroughUniformBits(int b) {
    passthroughUniformBits = b;
    return this;
  }

  /** The aq settings (codec aq). */
  public TestSettings aq(AqSettings settings) {
    aq = settings;
    return this;
  }

  /** passthrough.norm-statistics */
  public TestSettings normStatistics(CompressionSettings.NormStatistics n) {
    normStatistics = n;
    return this;
  }

  public CompressionSettings build() {
    return new CompressionSettings(codec, bits, scope, List.copyOf(keep), minElements, maxRank,
        CompressionSettings.NonFinite.REJECT, shardBytes, 0, 1, nnzip.codec.dp.DpCodec.DEFAULT_BINS, codeStreams,
        passthroughDpBits, passthroughUniformBits, aq, normStatistics, List.of());
  }
}
