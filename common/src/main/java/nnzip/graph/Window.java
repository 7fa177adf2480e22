package nnzip.graph;

/**
 * The sliding window of a 2-D Conv or pooling node (ONNX attributes kernel_shape, strides,
 * dilations, pads, auto_pad) over an NCHW input, with the output size ONNX defines for ceil_mode=0:
 * out = floor((in + padBegin + padEnd − ((k − 1)·d + 1)) / s) + 1.
 *
 * @param kernel [kH, kW]
 * @param strides [sH, sW]
 * @param dilations [dH, dW]
 * @param pads [top, left, bottom, right], as ONNX orders them (all begins, then all ends)
 */
record Window(long[] kernel, long[] strides, long[] dilations, long[] pads) {

  /**
   * Reads the window attributes of a node whose kernel is {@code kernel} over an input of spatial
   * size {@code [h, w]}.
   *
   * @throws nnzip.InvalidInputException for an unknown auto_pad, non-positive strides or
   *     dilations, negative pads, or a window larger than the padded input
   */
  static Window of(NodeAttributes a, long[] kernel, long h, long w) {
    long[] s = a.integers("strides", 2, 1, 1);
    long[] d = a.integers("dilations", 2, 1, 1);
    for (int i = 0; i < 2; i++) {
      if (s[i] < 1 || d[i] < 1 || kernel[i] < 1) {
        throw a.unsupported("kernel " + kernel[0] + "x" + kernel[1] + ", strides " + s[0] + "," + s[1]
            + ", dilations " + d[0] + "," + d[1] + " (all must be ≥ 1)");
      }
    }
    long[] in = {h, w};
    String auto = a.string("auto_pad", "NOTSET");
    long[] p;
    switch (auto) {
      case "NOTSET" -> {
        p = a.integers("pads", 4, 0, 0, 0, 0);
        for (long v : p) {
          if (v < 0) {
            throw a.unsupported("negative pads");
          }
        }
      }
      case "VALID" -> p = new long[4];
      case "SAME_UPPER", "SAME_LOWER" -> {
        // ONNX: out = ceil(in / s); the total padding is split evenly, the odd one at the end
        // (SAME_UPPER) or at the beginning (SAME_LOWER).
        p = new long[4];
        for (int i = 0; i < 2; i++) {
          long out = (in[i] + s[i] - 1) / s[i];
          long total = Math.max(0, (out - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 - in[i]);
          long half = total / 2;
          p[i] = auto.equals("SAME_UPPER") ? half : total - half;
          p[i + 2] = total - p[i];
        }
      }
      default -> throw a.unsupported("attribute 'auto_pad' = " + auto);
    }
    Window win = new Window(kernel.clone(), s, d, p);
    if (win.outHeight(h) < 1 || win.outWidth(w) < 1) {
      throw a.unsupported("a window of " + kernel[0] + "x" + kernel[1] + " over an input of " + h + "x" + w
          + " (no output)");
    }
    return win;
  }

  long outHeight(long h) {
    return out(h, 0);
  }

  long outWidth(long w) {
    return out(w, 1);
  }

  /** True when each axis has as much padding at its end as at its beginning. */
  boolean symmetric() {
    return pads[0] == pads[2] && pads[1] == pads[3];
  }

  /** True when there is no padding at all. */
  boolean unpadded() {
    return pads[0] == 0 && pads[1] == 0 && pads[2] == 0 && pads[3] == 0;
  }

  /** The same window with its padding removed (applied to the input beforehand). */
  Window withoutPads() {
    return new Window(kernel, strides, dilations, new long[4]);
  }

  private long out(long in, int axis) {
    long span = (kernel[axis] - 1) * dilations[axis] + 1;
    return Math.floorDiv(in + pads[axis] + pads[axis + 2] - span, strides[axis]) + 1;
  }
}
