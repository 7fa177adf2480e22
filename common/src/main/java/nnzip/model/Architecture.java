package nnzip.model;

import java.util.Arrays;
import java.util.Locale;
import onnx.Onnx;

/**
 * The reference classifiers of {@code nnzip train}, for 1-channel images such as Fashion-MNIST
 * ([N, 1, 28, 28]); each is built as a freshly He-initialized ONNX model (see {@link
 * OnnxGraphBuilder}) that outputs logits.
 */
public enum Architecture {
  /** LeNet-300-100 (LeCun et al. 1998, Han et al. 2016): 784-300-100-10, 266,610 parameters. */
  MLP_300_100("mlp-300-100"),
  /**
   * Caffe's LeNet-5 as used by Deep Compression: conv 20@5×5, max pool, conv 50@5×5, max pool, fc
   * 500, fc 10 (431,080 parameters); ReLU after the convolutions too.
   */
  LENET5("lenet5"),
  /** A small VGG: [conv3×3-BN-ReLU]×2 at 32 channels, pool, ×2 at 64, pool, fc 256, fc 10. */
  VGG_SMALL("vgg-small"),
  /**
   * ResNet-20 (He et al. 2016, the CIFAR variant): 16/32/64 channels, 3 basic blocks per stage,
   * projection shortcuts (1×1 conv + BN) where the shape changes, global average pool, fc 10.
   */
  RESNET20("resnet20");

  private final String cliName;

  Architecture(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line. */
  public String cliName() {
    return cliName;
  }

  /**
   * The architecture of a command-line name.
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static Architecture parse(String name) {
    for (Architecture a : values()) {
      if (a.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + name + "'; valid: "
        + String.join(", ", Arrays.stream(values()).map(Architecture::cliName).toList()));
  }

  /**
   * A freshly initialized model.
   *
   * @param inputShape one example's shape, [C, H, W] (or [H, W] / [D], read as one channel)
   * @param classes number of classes, ≥ 2
   * @param seed seed of the initialization
   */
  public Onnx.ModelProto build(int[] inputShape, int classes, long seed) {
    int[] chw = inputShape.length == 3 ? inputShape
        : inputShape.length == 2 ? new int[] {1, inputShape[0], inputShape[1]} : null;
    OnnxGraphBuilder b = new OnnxGraphBuilder("nnzip_" + cliName.replace('-', '_'), seed);
    if (this == MLP_300_100) {
      int dim = Arrays.stream(inputShape).reduce(1, Math::multiplyExact);
      String x = b.flatten(b.input(inputShape));
      x = b.relu(b.linear(x, "fc1", dim, 300));
      x = b.relu(b.linear(x, "fc2", 300, 100));
      return b.finish(b.linear(x, "fc3", 100, classes), classes);
    }
    if (chw == null) {
      throw new IllegalArgumentException(cliName + " needs image examples ([C, H, W] or [H, W]), got "
          + Arrays.toString(inputShape));
    }
    String x = b.input(chw);
    int h = chw[1];
    int w = chw[2];
    switch (this) {
      case LENET5 -> {
        x = b.maxPool(b.relu(b.conv(x, "conv1", chw[0], 20, 5, 1, 0, true)), 2);
        x = b.maxPool(b.relu(b.conv(x, "conv2", 20, 50, 5, 1, 0, true)), 2);
        int side = ((h - 4) / 2 - 4) / 2;
        int sideW = ((w - 4) / 2 - 4) / 2;
        x = b.relu(b.linear(b.flatten(x), "fc1", 50 * side * sideW, 500));
        return b.finish(b.linear(x, "fc2", 500, classes), classes);
      }
      case VGG_SMALL -> {
        int in = chw[0];
        int layer = 0;
        for (int width : new int[] {32, 64}) {
          for (int r = 0; r < 2; r++) {
            layer++;
            x = b.relu(b.batchNorm(b.conv(x, "features.conv" + layer, in, width, 3, 1, 1, false), "features.bn" + layer,
                width));
            in = width;
          }
          x = b.maxPool(x, 2);
        }
        x = b.relu(b.linear(b.flatten(x), "classifier.fc1", 64 * (h / 4) * (w / 4), 256));
        return b.finish(b.linear(x, "classifier.fc2", 256, classes), classes);
      }
      default -> {
        x = b.relu(b.batchNorm(b.conv(x, "conv1", chw[0], 16, 3, 1, 1, false), "bn1", 16));
        int in = 16;
        int stage = 0;
        for (int width : new int[] {16, 32, 64}) {
          stage++;
          for (int block = 0; block < 3; block++) {
            int stride = stage > 1 && block == 0 ? 2 : 1;
            String p = "layer" + stage + "." + block;
            String y = b.relu(b.batchNorm(b.conv(x, p + ".conv1", in, width, 3, stride, 1, false), p + ".bn1", width));
            y = b.batchNorm(b.conv(y, p + ".conv2", width, width, 3, 1, 1, false), p + ".bn2", width);
            String shortcut = x;
            if (stride != 1 || in != width) {
              shortcut = b.batchNorm(b.conv(x, p + ".shortcut.0", in, width, 1, stride, 0, false), p + ".shortcut.1", width);
            }
            x = b.relu(b.add(y, shortcut));
            in = width;
          }
        }
        x = b.flatten(b.globalAveragePool(x));
        return b.finish(b.linear(x, "fc", 64, classes), classes);
      }
    }
  }
}
