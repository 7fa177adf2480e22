package nnzip.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnzip.InvalidInputException;
import nnzip.Progress;
import nnzip.codec.CodecKind;
import nnzip.codec.TensorCoder;
import nnzip.compress.aq.AqFit;
import nnzip.compress.aq.AqSettings;
import nnzip.compress.aq.AqTensor;
import nnzip.stats.Moments;

/**
 * The step between the scan and the encode pass, the same for every codec: the NaN/Inf policy, then
 * each coded tensor's {@link FittedTensor}: scalar codecs were fitted per tensor in the scan;
 * a model-wide codec (aq) fits here over all its tensors, through the {@link ShardAggregator} of
 * whatever runs the job.
 */
public final class ModelFit {
  private ModelFit() {}

  /**
   * Rejects tensors holding NaN/Inf (any tensor: a model holding them is suspect even where they
   * would be stored as they are), or keeps them as they are when the recipe allows it. Tensors
   * bound for F16 ({@link CodecKind#HALF}) whose values may lie beyond its range are kept as they are.
   *
   * @throws InvalidInputException naming the tensor and its first non-finite element under
   *     {@link CompressionSettings.NonFinite#REJECT}
   */
  public static List<TensorTask> applyNonFinitePolicy(List<TensorTask> tasks, List<TensorStatistics> stats,
      CompressionSettings.NonFinite policy, Progress progress) {
    List<TensorTask> out = new ArrayList<>();
    for (TensorTask t : tasks) {
      Moments m = stats.get(t.index()).moments();
      if (m.nonFinite() > 0) {
        String what = String.format("tensor '%s' holds %d NaN/Inf values (first at element %d)",
            t.source().spec().name(), m.nonFinite(), m.firstNonFinite());
        if (policy == CompressionSettings.NonFinite.REJECT) {
          throw new InvalidInputException(what + "; set allow-non-finite = true to keep such tensors as they are");
        }
        progress.report(what + ": kept as it is");
        out.add(t.asPassthrough());
      } else if (t.kind() == CodecKind.HALF && !nnzip.codec.half.HalfCodec.fits(m.mean(), m.variance(), m.count())) {
        // A value may lie beyond F16's range (±65504): the tensor stays as it is.
        out.add(t.asPassthrough());
      } else {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The fitted form of every coded task, by task index.
   *
   * @param tasks after {@link #applyNonFinitePolicy}
   * @param stats the scan's statistics, in task order
   * @param shards reaches the coded shards (used by model-wide codecs)
   */
  public static Map<Integer, FittedTensor> fit(CompressionSettings settings, List<TensorTask> tasks,
      List<TensorStatistics> stats, ShardAggregator shards, Progress progress) {
    Map<Integer, FittedTensor> fitted = new TreeMap<>();
    Map<Integer, AqTensor> pool = new TreeMap<>();
    for (TensorTask t : tasks) {
      if (t.isPassthrough()) {
        continue;
      }
      TensorStatistics s = stats.get(t.index());
      if (t.codec() != null) {
        fitted.put(t.index(), new FittedTensor(t.kind(), s.quantizer(), s.scopeOf(t), s.layoutOf(t).channels(),
            t.channelAxis()));
      } else if (t.kind() == CodecKind.AQ) {
        pool.put(t.index(), aqMember(settings.aq(), t, s.moments()));
      } else {
        throw new IllegalStateException("no fit for codec " + t.kind().label());
      }
    }
    if (!pool.isEmpty()) {
      AqSettings aq = settings.aq();
      Map<Integer, TensorCoder> coders = AqFit.fit(aq, pool, shards.restrictedTo(pool.keySet()), progress)
          .coders(pool, aq.params());
      coders.forEach((i, c) -> fitted.put(i, new FittedTensor(CodecKind.AQ, c, aq.scope(), 1, 0)));
    }
    return fitted;
  }

  /** A tensor's place in the aq pool: its group, and its RMS as the scale when normalizing. */
  private static AqTensor aqMember(AqSettings aq, TensorTask t, Moments m) {
    double rms = Math.sqrt(m.variance() + m.mean() * m.mean());
    float scale = aq.normalization() == AqSettings.Normalization.RMS && rms > 0 && Double.isFinite(rms)
        ? (float) rms : 1f;
    int group = aq.scope() == nnzip.codec.Scope.GLOBAL ? 0 : t.index();
    return new AqTensor(group, scale, t.source().spec().numElements());
  }
}
