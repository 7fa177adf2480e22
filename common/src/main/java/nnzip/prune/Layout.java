package nnzip.prune;

import java.util.List;

/**
 * How the channel axis of one tensor is made of group channels: pieces in order, each the
 * channels of one raw group (or of a fixed source, such as a graph input) with each channel a
 * contiguous block of {@code block} elements (1 on an NCHW tensor, H·W after Flatten).
 *
 * @param axis the channel axis of the tensor
 * @param rank the tensor's rank
 * @param pieces the pieces along the axis, in order; non-empty
 */
record Layout(int axis, int rank, List<Piece> pieces) {

  /** Group index of a piece whose channels may never be pruned. */
  static final int FIXED = -1;

  /**
   * Channels of one group along an axis.
   *
   * @param group raw group index, or {@link #FIXED}
   * @param channels number of channels, ≥ 1
   * @param block elements per channel along the axis, ≥ 1
   */
  record Piece(int group, int channels, long block) {}

  Layout {
    pieces = List.copyOf(pieces);
  }

  static Layout single(int group, int channels, int axis, int rank) {
    return new Layout(axis, rank, List.of(new Piece(group, channels, 1)));
  }

  /** Elements along the axis: Σ channels·block. */
  long size() {
    long s = 0;
    for (Piece p : pieces) {
      s = Math.addExact(s, Math.multiplyExact(p.channels(), p.block()));
    }
    return s;
  }

  /** The same pieces, each channel now {@code factor} times wider (Flatten of the inner dims). */
  Layout widened(long factor, int newAxis, int newRank) {
    return new Layout(newAxis, newRank,
        pieces.stream().map(p -> new Piece(p.group(), p.channels(), Math.multiplyExact(p.block(), factor))).toList());
  }

  /** True when both have the same number of pieces with equal channel counts and blocks. */
  boolean sameShapeAs(Layout o) {
    if (o.axis != axis || o.rank != rank || o.pieces.size() != pieces.size()) {
      return false;
    }
    for (int i = 0; i < pieces.size(); i++) {
      if (pieces.get(i).channels() != o.pieces.get(i).channels() || pieces.get(i).block() != o.pieces.get(i).block()) {
        return false;
      }
    }
    return true;
  }
}
