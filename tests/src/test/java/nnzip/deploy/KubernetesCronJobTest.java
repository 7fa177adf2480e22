package nnzip.deploy;

import static nnzip.deploy.DeployFiles.DEPLOY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s/nnzip-zoo.yaml, parsed as YAML (no cluster here): a CronJob that never overlaps a night,
 * whose pod runs the image's spark-submit with the built jar's main class at the path the Dockerfile
 * puts it, reads the manifest from the ConfigMap it mounts, and gives driver and executors the same
 * claim for DIR; every name it refers to (service account, claim, ConfigMap, env) is defined.
 */
class KubernetesCronJobTest {
  private static final Map<String, JsonNode> BY_KIND = new HashMap<>();
  private static JsonNode pod;
  private static JsonNode container;
  private static List<String> args;
  private static Map<String, String> confs;

  @BeforeAll
  static void parse() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(DEPLOY.resolve("k8s/nnzip-zoo.yaml").toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        assertEquals(null, BY_KIND.put(doc.get("kind").asText(), doc), "one of each kind");
      }
    }
    assertEquals(Set.of("ServiceAccount", "Role", "RoleBinding", "PersistentVolumeClaim", "ConfigMap", "CronJob"),
        BY_KIND.keySet());
    pod = BY_KIND.get("CronJob").at("/spec/jobTemplate/spec/template/spec");
    assertEquals(1, pod.get("containers").size());
    container = pod.get("containers").get(0);
    args = new ArrayList<>();
    container.get("args").forEach(a -> args.add(a.asText()));
    confs = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--conf")) {
        String[] kv = args.get(i + 1).split("=", 2);
        assertEquals(null, confs.put(kv[0], kv[1]), "each --conf once: " + kv[0]);
      }
    }
  }

  @Test
  void cronJobNeverRunsTwoNightsAtOnceAndEndsWithTheZoosExitCode() {
    JsonNode spec = BY_KIND.get("CronJob").get("spec");
    assertEquals("Forbid", spec.get("concurrencyPolicy").asText());
    assertEquals(5, spec.get("schedule").asText().split(" ").length, spec.get("schedule").asText());
    assertEquals("Never", pod.get("restartPolicy").asText());
    assertEquals(0, spec.at("/jobTemplate/spec/backoffLimit").asInt(), "a failed zoo is not rerun by Kubernetes");
    // Client mode: this pod's JVM is the driver, so the Job fails exactly when the zoo exits non-zero.
    assertEquals("client", valueAfter("--deploy-mode"));
  }

  @Test
  void podSubmitsTheBuiltJarsMainClassFromTheImage() throws IOException {
    assertEquals("/opt/spark/bin/spark-submit", args.get(0), "the image's SPARK_HOME (deploy/docker/Dockerfile)");
    assertTrue(valueAfter("--master").startsWith("k8s://https://"), valueAfter("--master"));
    assertEquals(DeployFiles.mainClass(), valueAfter("--class"));
    int jar = args.indexOf(DeployFiles.IMAGE_JAR);
    assertTrue(jar > 0, "the jar where the Dockerfile copies it: " + args);
    assertEquals(List.of("zoo", "--manifest"), args.subList(jar + 1, jar + 3));
    assertEquals(jar + 4, args.size(), "nothing after the manifest: " + args);

    String image = container.get("image").asText();
    assertEquals(image, confs.get("spark.kubernetes.container.image"), "executors run the driver's image");
    assertTrue(image.endsWith(":" + DeployFiles.version()), "the image of this version: " + image);
    assertEquals(DeployFiles.OPENS, confs.get("spark.driver.extraJavaOptions"));
    assertEquals(DeployFiles.OPENS, confs.get("spark.executor.extraJavaOptions"));
  }

  @Test
  void manifestComesFromTheMountedConfigMapAndDirIsOnTheClaimDriverAndExecutorsShare() {
    String manifest = args.get(args.size() - 1);
    Map<String, JsonNode> mounts = new HashMap<>();
    container.get("volumeMounts").forEach(m -> mounts.put(m.get("name").asText(), m));
    Map<String, JsonNode> volumes = new HashMap<>();
    pod.get("volumes").forEach(v -> volumes.put(v.get("name").asText(), v));
    assertEquals(mounts.keySet(), volumes.keySet());

    JsonNode configMap = BY_KIND.get("ConfigMap");
    String configMapVolume = volumes.entrySet().stream()
        .filter(e -> e.getValue().has("configMap")).map(Map.Entry::getKey).findFirst().orElseThrow();
    assertEquals(configMap.at("/metadata/name").asText(), volumes.get(configMapVolume).at("/configMap/name").asText());
    Path manifestPath = Path.of(manifest);
    assertEquals(mounts.get(configMapVolume).get("mountPath").asText(), manifestPath.getParent().toString());
    JsonNode text = configMap.at("/data/" + manifestPath.getFileName());
    assertTrue(text.isTextual(), "the ConfigMap has the key " + manifestPath.getFileName());

    JsonNode claim = BY_KIND.get("PersistentVolumeClaim");
    String claimName = claim.at("/metadata/name").asText();
    assertTrue(claim.at("/spec/accessModes").toString().contains("ReadWriteMany"), "driver and executors mount it");
    String claimVolume = volumes.entrySet().stream()
        .filter(e -> e.getValue().has("persistentVolumeClaim")).map(Map.Entry::getKey).findFirst().orElseThrow();
    assertEquals(claimName, volumes.get(claimVolume).at("/persistentVolumeClaim/claimName").asText());
    String zooMount = mounts.get(claimVolume).get("mountPath").asText();
    String prefix = "spark.kubernetes.executor.volumes.persistentVolumeClaim.";
    Set<String> executorVolumes = new HashSet<>();
    confs.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> executorVolumes.add(k.substring(prefix.length()).split("\\.")[0]));
    assertEquals(1, executorVolumes.size(), confs.toString());
    String v = executorVolumes.iterator().next();
    assertEquals(claimName, confs.get(prefix + v + ".options.claimName"));
    assertEquals(zooMount, confs.get(prefix + v + ".mount.path"), "executors see DIR where the driver does");

    // The manifest is HOCON whose output folder and models lie on that claim.
    Config zoo = ConfigFactory.parseString(text.asText());
    assertTrue(Path.of(zoo.getString("out")).startsWith(zooMount), zoo.getString("out"));
    assertTrue(zoo.getConfigList("models").size() >= 1);
    for (Config model : zoo.getConfigList("models")) {
      assertNotNull(model.getString("name"));
      assertTrue(Path.of(model.getString("in")).startsWith(zooMount), model.getString("in"));
    }
  }

  @Test
  void everyNameTheCronJobUsesIsDefined() {
    String account = BY_KIND.get("ServiceAccount").at("/metadata/name").asText();
    assertEquals(account, pod.get("serviceAccountName").asText());
    assertEquals(account, confs.get("spark.kubernetes.authenticate.driver.serviceAccountName"));
    JsonNode binding = BY_KIND.get("RoleBinding");
    assertEquals(account, binding.at("/subjects/0/name").asText());
    assertEquals(BY_KIND.get("Role").at("/metadata/name").asText(), binding.at("/roleRef/name").asText());
    assertTrue(BY_KIND.get("Role").at("/rules/0/resources").toString().contains("pods"), "the driver creates executor pods");

    Set<String> env = new HashSet<>();
    container.get("env").forEach(e -> env.add(e.get("name").asText()));
    Matcher m = Pattern.compile("\\$\\((\\w+)\\)").matcher(String.join(" ", args));
    int refs = 0;
    while (m.find()) {
      assertTrue(env.contains(m.group(1)), "$(" + m.group(1) + ") is defined in env");
      refs++;
    }
    assertEquals(2, refs, "driver host and pod name");
  }

  private static String valueAfter(String option) {
    int i = args.indexOf(option);
    assertTrue(i >= 0 && i + 1 < args.size(), option + " in " + args);
    return args.get(i + 1);
  }
}
