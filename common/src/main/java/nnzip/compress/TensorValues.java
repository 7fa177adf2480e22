package nnzip.compress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import nnzip.codec.ScalarCodec;

/**
 * The raw values of one tensor, kept by pass 1 under {@code scope = auto} so that the executor
 * fitting the tensor can try every grouping on the data itself. Tensors under auto scope are at
 * most one shard ({@link CompressionSettings#taskFor}), so this holds at most shard-bytes of floats.
 */
public final class TensorValues implements ScalarCodec.Summary {
  private static final long serialVersionUID = 1L;

  /** Elements {@code first ..} of the tensor. */
  public record Piece(long first, float[] values) implements java.io.Serializable {}

  private final List<Piece> pieces = new ArrayList<>();

  @Override
  public void add(float[] values, int n, long first) {
    pieces.add(new Piece(first, java.util.Arrays.copyOf(values, n)));
  }

  @Override
  public ScalarCodec.Summary merge(ScalarCodec.Summary other) {
    TensorValues m = new TensorValues();
    m.pieces.addAll(pieces);
    m.pieces.addAll(((TensorValues) other).pieces);
    m.pieces.sort(Comparator.comparingLong(Piece::first));
    return m;
  }

  /** The pieces in element order. */
  public List<Piece> pieces() {
    List<Piece> sorted = new ArrayList<>(pieces);
    sorted.sort(Comparator.comparingLong(Piece::first));
    return sorted;
  }
}
