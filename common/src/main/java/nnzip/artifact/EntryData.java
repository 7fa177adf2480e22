package nnzip.artifact;

import java.util.List;
import nnzip.io.StoredTensor;

/** Where the bytes of one stored entry come from when the artifact is assembled. */
public sealed interface EntryData {
  /** Bytes held in memory (codec parameters, the weightless ONNX graph). */
  record InMemory(byte[] bytes) implements EntryData {}

  /** Concatenation of part files written by executors, in order (packed codes). */
  record Parts(List<String> files) implements EntryData {
    public Parts {
      files = List.copyOf(files);
    }
  }

  /** A byte range of the source (a tensor passed through). */
  record SourceRange(StoredTensor tensor) implements EntryData {}
}
