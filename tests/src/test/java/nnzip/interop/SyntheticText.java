package nnzip.interop;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Deterministic, seeded input images for the OCR models: dark seven-segment digit strings (drawn
 * with filled rectangles, so no font is needed) on a light, shaded background, plus per-pixel noise,
 * turned into the models' NCHW float input with PaddleOCR's own normalization. Text-like input
 * makes the detector's probability map and the recognizer's decoded sequence meaningful (mostly
 * non-trivial), where pure noise would give an almost empty map and all-blank sequences.
 */
final class SyntheticText {
  private SyntheticText() {}

  // Segments a..g of digits 0..9 (a top, b top right, c bottom right, d bottom, e bottom left, f top left, g middle).
  private static final String[] SEGMENTS = {"abcdef", "bc", "abged", "abgcd", "fgbc", "afgcd", "afgedc", "abc", "abcdefg", "abcdfg"};

  /** A model input: NCHW values and shape. */
  record Input(float[] values, long[] shape) {}

  /**
   * The input used for each fixture model, filling the dynamic dimensions with sizes PaddleOCR uses:
   * a 480×640 page for the detector (multiples of 32), a 48×320 line for the recognizer (40 time
   * steps), a 48×192 line for the direction classifier.
   */
  static Input forModel(OcrFixtures.OcrModel m, long seed) {
    return switch (m) {
      case DETECTOR -> new Input(detectorInput(480, 640, seed), new long[] {1, 3, 480, 640});
      case RECOGNIZER -> new Input(lineInput(48, 320, seed), new long[] {1, 3, 48, 320});
      case CLASSIFIER -> new Input(lineInput(48, 192, seed), new long[] {1, 3, 48, 192});
    };
  }

  /** A 1×3×h×w detector input: several digit lines of random sizes and positions. */
  static float[] detectorInput(int h, int w, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    BufferedImage img = background(w, h, rng);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    int y = 12 + rng.nextInt(12);
    while (true) {
      int digitH = 18 + rng.nextInt(30);
      if (y + digitH + 10 > h) {
        break;
      }
      int x = 10 + rng.nextInt(w / 4);
      int count = 3 + rng.nextInt(12);
      drawDigits(g, rng, x, y, digitH, count, w - 10);
      y += digitH + 14 + rng.nextInt(30);
    }
    g.dispose();
    // PaddleOCR detection preprocessing: x/255, then ImageNet mean and std per channel.
    return toNchw(img, rng, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
  }

  /** A 1×3×h×w single-line input for the recognizer or the direction classifier. */
  static float[] lineInput(int h, int w, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    BufferedImage img = background(w, h, rng);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    int digitH = h * 2 / 3;
    drawDigits(g, rng, 6, (h - digitH) / 2, digitH, 100, w - 6);
    g.dispose();
    // PaddleOCR recognition/classification preprocessing: (x/255 - 0.5) / 0.5.
    return toNchw(img, rng, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
  }

  private static BufferedImage background(int w, int h, SplittableRandom rng) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int base = 205 + rng.nextInt(40);
    double gx = (rng.nextDouble() - 0.5) * 30 / w;
    double gy = (rng.nextDouble() - 0.5) * 30 / h;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = (int) Math.max(0, Math.min(255, base + gx * x + gy * y));
        img.setRGB(x, y, v << 16 | v << 8 | (Math.min(255, v + 6)));
      }
    }
    return img;
  }

  /** Draws up to {@code count} digits left to right from x, stopping before {@code xMax}. */
  private static void drawDigits(Graphics2D g, SplittableRandom rng, int x, int y, int digitH, int count, int xMax) {
    int ink = rng.nextInt(70);
    g.setColor(new Color(ink, ink, Math.min(255, ink + rng.nextInt(40))));
    int digitW = Math.max(6, digitH / 2);
    int t = Math.max(2, digitH / 8);
    int half = digitH / 2;
    for (int i = 0; i < count && x + digitW < xMax; i++) {
      String s = SEGMENTS[rng.nextInt(10)];
      for (char c : s.toCharArray()) {
        switch (c) {
          case 'a' -> g.fillRect(x, y, digitW, t);
          case 'b' -> g.fillRect(x + digitW - t, y, t, half);
          case 'c' -> g.fillRect(x + digitW - t, y + half, t, digitH - half);
          case 'd' -> g.fillRect(x, y + digitH - t, digitW, t);
          case 'e' -> g.fillRect(x, y + half, t, digitH - half);
          case 'f' -> g.fillRect(x, y, t, half);
          case 'g' -> g.fillRect(x, y + half - t / 2, digitW, t);
          default -> throw new IllegalStateException();
        }
      }
      x += digitW + Math.max(3, digitW / 3);
    }
  }

  private static float[] toNchw(BufferedImage img, SplittableRandom rng, float[] mean, float[] std) {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] out = new float[3 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = img.getRGB(x, y);
        // BGR channel order, as PaddleOCR feeds OpenCV images.
        int[] bgr = {rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff};
        for (int c = 0; c < 3; c++) {
          double v = Math.max(0, Math.min(255, bgr[c] + (rng.nextDouble() - 0.5) * 16)) / 255.0;
          out[(c * h + y) * w + x] = (float) ((v - mean[c]) / std[c]);
        }
      }
    }
    return out;
  }
}
