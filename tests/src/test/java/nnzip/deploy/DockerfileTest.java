package nnzip.deploy;

import static nnzip.deploy.DeployFiles.DEPLOY;
import static nnzip.deploy.DeployFiles.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile, read without a Docker engine: its instructions parsed (continuations
 * joined, comments dropped, ARG defaults substituted), every COPY source present in a built tree and
 * let through by Dockerfile.dockerignore (Docker's rule: the last matching pattern decides, a pattern
 * matching a parent folder matches the file), the Spark version the build's, and the jar at the path
 * the Kubernetes and Airflow configs run.
 */
class DockerfileTest {
  private static final Path DOCKERFILE = DEPLOY.resolve("docker/Dockerfile");

  record Instruction(String keyword, String args) {}

  @Test
  void copySourcesExistInTheBuildAndPassTheDockerignore() throws IOException {
    List<Instruction> ins = parse(DOCKERFILE);
    Map<String, String> argDefaults = argDefaults(ins);
    List<String> ignore = Files.readAllLines(DEPLOY.resolve("docker/Dockerfile.dockerignore")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    int copies = 0;
    for (Instruction i : ins) {
      if (!i.keyword().equals("COPY")) {
        continue;
      }
      List<String> words = List.of(substitute(i.args(), argDefaults).split("\\s+"));
      assertEquals(2, words.size(), "COPY source destination: " + i.args());
      assertFalse(words.get(0).startsWith("--from"), "no multi-stage copies here: " + i.args());
      Path source = ROOT.resolve(words.get(0)).normalize();
      assertTrue(source.startsWith(ROOT) && Files.isRegularFile(source), "COPY source in the build: " + source);
      assertFalse(ignored(words.get(0), ignore), words.get(0) + " is sent in the build context");
      copies++;
    }
    assertEquals(3, copies, "the jar, gpu-discovery, log4j2.properties");
    assertTrue(ignored("common/src/main/java/nnzip/Digests.java", ignore), "sources stay out of the context");
    assertTrue(ignored("spark-jobs/target/classes/nnzip/cli/Main.class", ignore), "classes stay out of the context");
  }

  @Test
  void imageHoldsTheBuiltJarWhereTheDeployConfigsRunItWithTheBuildsSparkAndJava17() throws IOException {
    List<Instruction> ins = parse(DOCKERFILE);
    Map<String, String> args = argDefaults(ins);
    assertEquals(DeployFiles.version(), args.get("NNZIP_VERSION"));
    assertEquals(DeployFiles.sparkVersion(), args.get("SPARK_VERSION"));
    assertTrue(args.get("SPARK_SHA256").matches("[0-9a-f]{64}"), "the Spark download is pinned by its hash");
    assertTrue(ins.get(0).keyword().equals("FROM") && ins.get(0).args().matches("\\S+:17-\\S+"),
        "a Java 17 base image: " + ins.get(0));

    String jarCopy = ins.stream().filter(i -> i.keyword().equals("COPY") && i.args().contains(".jar"))
        .map(i -> substitute(i.args(), args)).findFirst().orElseThrow();
    assertEquals(ROOT.relativize(DeployFiles.APP_JAR) + " " + DeployFiles.IMAGE_JAR, jarCopy,
        "the shaded application jar that spark-jobs builds");

    String env = ins.stream().filter(i -> i.keyword().equals("ENV")).map(Instruction::args)
        .reduce("", (a, b) -> a + " " + b);
    assertTrue(env.contains("SPARK_HOME=/opt/spark"), env);
    String run = ins.stream().filter(i -> i.keyword().equals("RUN")).map(Instruction::args)
        .reduce("", (a, b) -> a + " " + b);
    assertTrue(run.contains("sha256sum -c"), "the download is checked");
    assertTrue(run.contains("/opt/spark/kubernetes/dockerfiles/spark/entrypoint.sh /opt/entrypoint.sh"),
        "Spark's Kubernetes entrypoint, so executors start from this image");

    Instruction entry = ins.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).reduce((a, b) -> b).orElseThrow();
    assertEquals(List.of("/opt/entrypoint.sh"), List.of(new ObjectMapper().readValue(entry.args(), String[].class)),
        "exec form");
    Instruction user = ins.stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b).orElseThrow();
    assertFalse(user.args().equals("0") || user.args().equals("root"), "not root");
  }

  @Test
  void gpuDiscoveryScriptIsWhereTheKubernetesGpuConfLooksForIt() throws IOException {
    String conf = Files.readString(DEPLOY.resolve("conf/gpu/spark-gpu-k8s.conf"));
    Matcher m = Pattern.compile("(?m)^spark\\.executor\\.resource\\.gpu\\.discoveryScript\\s+(\\S+)").matcher(conf);
    assertTrue(m.find());
    assertTrue(parse(DOCKERFILE).stream().anyMatch(i -> i.keyword().equals("COPY")
        && i.args().equals("deploy/bin/gpu-discovery " + m.group(1))), m.group(1));
  }

  /** Instructions in order: comment lines dropped, lines ending in a backslash joined to the next. */
  static List<Instruction> parse(Path dockerfile) throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile)) {
      String t = line.strip();
      if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
        continue;  // Docker drops comment lines inside a continued instruction too
      }
      boolean continues = t.endsWith("\\");
      current.append(continues ? t.substring(0, t.length() - 1) : t).append(' ');
      if (!continues) {
        String joined = current.toString().strip().replaceAll("\\s+", " ");
        current.setLength(0);
        int space = joined.indexOf(' ');
        assertTrue(space > 0, "an instruction with arguments: " + joined);
        String keyword = joined.substring(0, space);
        assertTrue(keyword.matches("FROM|ARG|RUN|ENV|COPY|WORKDIR|USER|ENTRYPOINT|CMD|LABEL|EXPOSE"), keyword);
        out.add(new Instruction(keyword, joined.substring(space + 1)));
      }
    }
    assertTrue(current.isEmpty(), "no dangling continuation");
    return out;
  }

  private static Map<String, String> argDefaults(List<Instruction> ins) {
    Map<String, String> out = new HashMap<>();
    for (Instruction i : ins) {
      if (i.keyword().equals("ARG")) {
        String[] kv = i.args().split("=", 2);
        out.put(kv[0], kv.length == 2 ? kv[1] : null);
      }
    }
    return out;
  }

  private static String substitute(String text, Map<String, String> vars) {
    Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      assertTrue(vars.get(name) != null, "ARG " + name + " has a default");
      m.appendReplacement(sb, Matcher.quoteReplacement(vars.get(name)));
    }
    return m.appendTail(sb).toString();
  }

  /** Docker's .dockerignore rule: the last pattern matching the path or one of its parent folders decides. */
  static boolean ignored(String path, List<String> patterns) {
    boolean ignored = false;
    for (String p : patterns) {
      boolean negated = p.startsWith("!");
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + (negated ? p.substring(1) : p));
      Path candidate = Path.of(path);
      for (int n = 1; n <= candidate.getNameCount(); n++) {
        if (matcher.matches(candidate.subpath(0, n))) {
          ignored = !negated;
          break;
        }
      }
    }
    return ignored;
  }
}
