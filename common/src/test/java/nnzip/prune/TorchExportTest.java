package nnzip.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A residual CNN exported by PyTorch (deploy/fixtures/make_residual_bn.py: separate
 * BatchNormalization, Conv with and without bias, residual Add, GlobalAveragePool, Gemm) is grouped
 * and pruned; PyTorch's own logits check that ONNX Runtime runs the export as PyTorch does. Skipped
 * with a message where Debian's python3-torch is not installed.
 */
class TorchExportTest {
  @TempDir static Path dir;
  static ModelProto model;
  static float[] x;
  static float[] torchY;

  @BeforeAll
  static void export() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3: skipping the PyTorch export");
    Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start();
    assumeTrue(probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0,
        "PyTorch not installed (apt-get install python3-torch): skipping the PyTorch export");
    Path script = Path.of("..", "deploy", "fixtures", "make_residual_bn.py");
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "export failed: " + log);
    model = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("residual_bn.onnx")));
    x = floats(dir.resolve("x.bin"));
    torchY = floats(dir.resolve("y.bin"));
  }

  @Test
  void exportKeepsBatchNormAndRunsAsInPyTorch() throws Exception {
    long bn = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization")).count();
    assertEquals(3, bn);
    ChannelRemovalTest.assertClose(torchY, Net.run(model.toByteArray(), x, 2, 1, 8, 8));
  }

  @Test
  void residualAddTiesStemAndBlockOutput() throws Exception {
    ChannelGroups groups = ChannelGroups.of(model.toByteArray());
    ChannelGroup stem = groups.get("stem.weight");
    assertEquals(List.of("stem.weight", "block.conv2.weight"), stem.producers());
    List<String> bnOutputs = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization"))
        .map(n -> n.getOutput(0)).toList();
    assertEquals(List.of(bnOutputs.get(0), bnOutputs.get(2)), stem.gateTensors());
    assertTrue(stem.prunable(), stem.refusal());
    assertTrue(groups.get("block.conv1.weight").prunable());
    assertFalse(groups.get("fc.weight").prunable());

    Map<String, int[]> kept = Map.of("stem.weight", new int[] {0, 2, 3, 6}, "block.conv1.weight", new int[] {1, 7});
    ChannelRemoval.Result r = ChannelRemovalTest.check(model, groups, kept, new long[] {2, 1, 8, 8});
    ModelProto pruned = ModelProto.parseFrom(r.model());
    NodeProto conv2 = pruned.getGraph().getNodeList().stream().filter(n -> n.getInputCount() > 1 && n.getInput(1).equals("block.conv2.weight"))
        .findFirst().orElseThrow();
    assertEquals(List.of(4L, 2L, 3L, 3L), new GraphView(nnzip.io.onnx.OnnxProto.Model.parse(r.model(), "pruned").getGraph()).constant(conv2.getInput(1)).getDimsList());
  }

  private static float[] floats(Path p) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }
}
