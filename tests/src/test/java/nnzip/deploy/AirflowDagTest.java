package nnzip.deploy;

import static nnzip.deploy.DeployFiles.DEPLOY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/airflow/nnzip_zoo_dag.py without Airflow: Python's {@code ast} parses it, then it runs
 * against stand-ins for {@code airflow.DAG} and {@code SparkSubmitOperator} that record what they
 * are given, and the recorded task must submit the built jar's main class, at the path the image
 * puts the jar, with the project's JVM flags and {@code zoo --manifest ...}.
 */
class AirflowDagTest {
  private static final Path DAG = DEPLOY.resolve("airflow/nnzip_zoo_dag.py");
  private static final String STUBS = String.join("\n",
      "import ast, json, sys, types",
      "source = open(sys.argv[1]).read()",
      "ast.parse(source, sys.argv[1])",
      "seen = {}",
      "class DAG:",
      "    def __init__(self, **kw): seen['dag'] = kw",
      "    def __enter__(self): return self",
      "    def __exit__(self, *a): return False",
      "class SparkSubmitOperator:",
      "    def __init__(self, **kw): seen.setdefault('tasks', []).append(kw)",
      "def module(name, **attrs):",
      "    m = types.ModuleType(name); m.__dict__.update(attrs); sys.modules[name] = m",
      "for n in ['airflow.providers', 'airflow.providers.apache', 'airflow.providers.apache.spark',",
      "          'airflow.providers.apache.spark.operators']: module(n)",
      "module('airflow', DAG=DAG)",
      "module('airflow.providers.apache.spark.operators.spark_submit', SparkSubmitOperator=SparkSubmitOperator)",
      "exec(compile(source, sys.argv[1], 'exec'), {'__name__': 'dag'})",
      "print(json.dumps(seen, default=str))");

  @TempDir
  Path dir;

  @Test
  void dagSubmitsTheApplicationJarsMainClassWithTheZooCommand() throws Exception {
    Path python = DeployFiles.onPath("python3");
    assumeTrue(python != null, "no python3 on this machine");
    DeployFiles.Result r = DeployFiles.run(List.of(python.toString(), "-c", STUBS, DAG.toString()), Map.of(), dir, 60);
    assertEquals(0, r.exit(), r.err());
    JsonNode seen = new ObjectMapper().readTree(r.out());

    JsonNode dag = seen.get("dag");
    assertEquals(1, dag.get("max_active_runs").asInt(), "a night never overlaps the next");
    assertTrue(!dag.get("catchup").asBoolean(), "no backfill of missed nights: the zoo is incremental");
    assertEquals(5, dag.get("schedule").asText().split(" ").length, "a cron expression: " + dag.get("schedule"));

    assertEquals(1, seen.get("tasks").size());
    JsonNode task = seen.get("tasks").get(0);
    assertEquals(DeployFiles.mainClass(), task.get("java_class").asText(), "the jar's Main-Class");
    assertEquals(DeployFiles.IMAGE_JAR, task.get("application").asText(), "where deploy/docker puts the jar");
    JsonNode args = task.get("application_args");
    assertEquals("zoo", args.get(0).asText());
    assertEquals("--manifest", args.get(1).asText());
    assertEquals(3, args.size(), args.toString());
    assertEquals(DeployFiles.OPENS, task.get("conf").get("spark.driver.extraJavaOptions").asText());
    assertEquals(DeployFiles.OPENS, task.get("conf").get("spark.executor.extraJavaOptions").asText());
    assertEquals("1", task.get("conf").get("spark.executorEnv.OMP_NUM_THREADS").asText());
  }

  @Test
  void aSyntaxErrorIsCaughtByTheParse() throws Exception {
    // The check above is only worth something if the stand-in run fails on a broken DAG.
    Path python = DeployFiles.onPath("python3");
    assumeTrue(python != null, "no python3 on this machine");
    Path broken = dir.resolve("broken_dag.py");
    java.nio.file.Files.writeString(broken, java.nio.file.Files.readString(DAG).replace("with DAG(", "with DAG(("));
    DeployFiles.Result r = DeployFiles.run(List.of(python.toString(), "-c", STUBS, broken.toString()), Map.of(), dir, 60);
    assertTrue(r.exit() != 0 && r.err().contains("SyntaxError"), r.err());
  }
}
