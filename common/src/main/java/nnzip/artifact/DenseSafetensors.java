package nnzip.artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import nnzip.io.safetensors.SafetensorsWriter;
import nnzip.tensor.TensorSpec;

/**
 * {@code decompress --format safetensors}: every tensor restored by {@link ArtifactRestorer} into
 * one dense safetensors file (apart from the restorer, whose ONNX path the device dialer runs
 * without a safetensors writer).
 */
public final class DenseSafetensors {
  private DenseSafetensors() {}

  /**
   * Writes every original tensor as a dense safetensors file, with the source's metadata, to
   * {@code os}, which is closed.
   */
  public static void write(Artifact a, OutputStream os) throws IOException {
    List<TensorSpec> specs = new ArrayList<>();
    a.manifest().tensors().forEach(t -> specs.add(t.spec()));
    try (os; SafetensorsWriter w = new SafetensorsWriter(os, specs, a.manifest().sourceMetadata())) {
      OutputStream sink = w.tensorStream();
      for (TensorRecord t : a.manifest().tensors()) {
        w.beginTensor(t.spec().name());
        ArtifactRestorer.restore(a, t, sink);
      }
      w.finish();
    }
  }}
