package nnzip.graph;

import java.util.Arrays;
import nnzip.graph.OnnxOps.Result;
import onnx.Onnx.NodeProto;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Flatten and Reshape with a dynamic batch: the target shape is resolved statically except for the
 * one dimension that carries the batch, which is passed to SameDiff as -1. A target that would fix
 * the batch size (e.g. [1, -1] or [8, 400]) is refused.
 */
final class ShapeOps {
  private ShapeOps() {}

  /** Flatten(axis ≥ 1): [d0·…·d(axis−1), d(axis)·…]; axis 0 would fold the batch into the row. */
  static Result flatten(SameDiff sd, NodeAttributes a, SDVariable x, long[] xs) {
    long axis = a.integer("axis", 1);
    long v = axis < 0 ? axis + xs.length : axis;
    if (v < 1 || v > xs.length) {
      throw a.unsupported("axis " + axis + " for an input of rank " + xs.length + " (only 1 … rank, keeping the batch"
          + " in the first dimension)");
    }
    long rest = product(xs, (int) v, xs.length);
    return new Result(sd.reshape(x, -1, rest), new long[] {-1, rest});
  }

  /**
   * Reshape by a constant INT64 shape: 0 copies the input's dimension (allowzero=0), -1 is inferred.
   * The batch must end up in exactly one output dimension: kept by a 0 in front, or absorbed by a
   * -1 in front when the other dimensions use up the rest of the input.
   */
  static Result reshape(OnnxGraphImporter g, NodeProto n, NodeAttributes a, SDVariable x, long[] xs) {
    long[] spec = g.longs(n, 1);
    if (a.integer("allowzero", 0) != 0 && Arrays.stream(spec).anyMatch(d -> d == 0)) {
      throw a.unsupported("attribute 'allowzero' = 1 with a 0 in the shape");
    }
    String what = "shape " + Arrays.toString(spec) + " for an input of shape " + Arrays.toString(xs);
    if (Arrays.stream(xs, 1, xs.length).anyMatch(d -> d < 1)) {
      throw a.unsupported(what + " (only the first input dimension may be dynamic)");
    }
    long[] out = spec.clone();
    int batchAt = -1; // the output dimension that carries the batch
    int inferAt = -1; // a -1 in the spec
    long known = 1; // product of the output dimensions that are neither
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0) {
        if (i >= xs.length) {
          throw a.unsupported(what + " (a 0 beyond the input's rank)");
        }
        out[i] = xs[i];
      }
      if (spec[i] == -1) {
        if (inferAt >= 0) {
          throw a.unsupported(what + " (two -1 entries)");
        }
        inferAt = i;
      } else if (out[i] == -1) {
        batchAt = i;
      } else if (out[i] < 1) {
        throw a.unsupported(what + " (entry " + spec[i] + ")");
      } else {
        known = Math.multiplyExact(known, out[i]);
      }
    }
    long rest = product(xs, 1, xs.length); // the input is N × rest
    if (batchAt < 0 && inferAt != 0) {
      throw a.unsupported(what + " (the first entry must be 0 or -1 so the batch stays the first dimension)");
    }
    if (batchAt >= 0) {
      if (batchAt != 0) {
        throw a.unsupported(what + " (the batch would move from the first dimension)");
      }
      if (inferAt >= 0) {
        if (rest % known != 0) {
          throw a.unsupported(what + " (" + rest + " values per example do not split into " + known + ")");
        }
        out[inferAt] = rest / known;
        known = rest;
      }
    } else if (rest % known != 0) {
      throw a.unsupported(what + " (" + rest + " values per example do not split into " + known + ")");
    }
    if (batchAt >= 0 && known != rest) {
      throw a.unsupported(what + " (" + known + " values per example, the input has " + rest + ")");
    }
    // inferAt == 0 without a copied batch: the first dimension is N·rest/known, still dynamic.
    long[] shape = out.clone();
    shape[0] = -1;
    return new Result(g.sd().reshape(x, shape), shape);
  }

  private static long product(long[] s, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p = Math.multiplyExact(p, s[i]);
    }
    return p;
  }
}
