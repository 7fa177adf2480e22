package nnzip.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the child JVMs of the cluster fixture, and reading their logs. */
final class ChildProcesses {

  private ChildProcesses() {}

  /** {@code java} of the running JDK. */
  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts {@code command} with {@code env} added, stdout and stderr both going to {@code log}. */
  static Process launch(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * SIGTERM to a process and all its descendants (a Worker's executors), then SIGKILL to
   * whatever is still alive after {@code grace}. Does nothing for {@code null}.
   */
  static void stopTree(Process process, Duration grace) {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(0, process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle handle : tree) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          handle.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (Exception timedOutOrInterrupted) {
        // Killed below.
      }
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
  }

  /**
   * Ports free on {@code host} right now; all probed at once so they are distinct. Another
   * process may still take one before it is used.
   */
  static int[] freePorts(String host, int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** The whole file as text, or a note saying why it cannot be read. */
  static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** The last {@code lines} lines of a file. */
  static String tail(Path file, int lines) {
    return Files.exists(file) ? SubmitResult.tail(read(file), lines) : "(no " + file + ")";
  }
}
