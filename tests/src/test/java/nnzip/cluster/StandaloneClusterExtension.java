package nnzip.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Shares one {@link StandaloneCluster} among all test classes of a run: the first class that uses
 * the extension starts it, the root context's store keeps it, and JUnit closes it when the whole
 * run ends. Test constructors, lifecycle and test methods get it as a {@code StandaloneCluster}
 * parameter, or through {@link #cluster(ExtensionContext)}. Files go to
 * {@code target/standalone-cluster/run-*}.
 */
public final class StandaloneClusterExtension implements BeforeAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(StandaloneClusterExtension.class);
  private static final AtomicInteger STARTS = new AtomicInteger();

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == StandaloneCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster(context);
  }

  /**
   * The run's cluster, started on first use. A failed start is remembered, so later classes fail
   * at once with the same cause instead of waiting for another start.
   *
   * @param context any extension context of the run
   * @return the running shared cluster
   * @throws IllegalStateException if the cluster could not be started
   */
  public static StandaloneCluster cluster(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Shared.class, key -> Shared.start(), Shared.class)
        .cluster();
  }

  /** How many clusters this JVM has started through the extension (1 when sharing works). */
  public static int starts() {
    return STARTS.get();
  }

  private static final class Shared implements ExtensionContext.Store.CloseableResource {
    private final StandaloneCluster cluster;
    private final RuntimeException failure;

    private Shared(StandaloneCluster cluster, RuntimeException failure) {
      this.cluster = cluster;
      this.failure = failure;
    }

    static Shared start() {
      STARTS.incrementAndGet();
      try {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir")),
            "target", "standalone-cluster");
        Path runDir = Files.createTempDirectory(Files.createDirectories(root), "run-");
        return new Shared(StandaloneCluster.start(runDir), null);
      } catch (IOException | RuntimeException e) {
        return new Shared(null, new IllegalStateException("the shared standalone cluster did not start", e));
      }
    }

    StandaloneCluster cluster() {
      if (failure != null) {
        throw failure;
      }
      return cluster;
    }

    @Override
    public void close() {
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
