package nnzip.zoo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import nnzip.InvalidInputException;
import nnzip.cli.Suggestions;
import nnzip.cli.UsageException;
import nnzip.config.Recipes;

/**
 * A zoo manifest read from HOCON: {@code out}, {@code models = [{name, in, recipe, set, data}]},
 * {@code defaults} (the same keys but {@code name} and {@code in}, for every model), and the run's
 * {@code parallel-models} and {@code retries} over reference.conf's {@code zoo} block. An unknown
 * key or a value of the wrong type is a usage error (exit 2); a name that could leave {@code out},
 * a duplicate name or a missing {@code in} is invalid input (exit 3).
 *
 * @param file the manifest file, absolute
 * @param out the output directory, absolute
 * @param models the models in manifest order
 * @param settings how the run goes
 */
public record ZooManifest(Path file, Path out, List<ZooModel> models, ZooSettings settings) {
  private static final Set<String> TOP = Set.of("out", "models", "defaults", "parallel-models", "retries");
  private static final Set<String> MODEL = Set.of("name", "in", "recipe", "set", "data");
  private static final Set<String> DEFAULTS = Set.of("recipe", "set", "data");

  public ZooManifest {
    models = List.copyOf(models);
  }

  /**
   * Reads and checks a manifest (recipes are resolved later, per model).
   *
   * @throws UsageException for a missing file, bad HOCON, an unknown key or a wrongly typed value
   * @throws InvalidInputException for a bad or duplicate model name
   */
  public static ZooManifest read(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(abs)) {
      throw new UsageException("zoo manifest not found: " + file);
    }
    String where = "zoo manifest " + file;
    try {
      Config c = ConfigFactory.parseFile(abs.toFile(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setAllowMissing(false).setOriginDescription(where)).resolve();
      checkKeys(c.root().keySet(), TOP, where, "");
      if (!c.hasPath("out")) {
        throw new UsageException(where + ": missing key 'out' (the output directory)");
      }
      Path base = abs.getParent();
      Path out = base.resolve(c.getString("out")).toAbsolutePath().normalize();
      Config defaults = c.hasPath("defaults") ? c.getConfig("defaults") : ConfigFactory.empty();
      checkKeys(defaults.root().keySet(), DEFAULTS, where, "defaults.");
      Config zoo = Recipes.zooReference();
      ZooSettings settings = new ZooSettings(
          c.hasPath("parallel-models") ? c.getInt("parallel-models") : zoo.getInt("parallel-models"),
          c.hasPath("retries") ? c.getInt("retries") : zoo.getInt("retries"));
      if (!c.hasPath("models")) {
        throw new UsageException(where + ": missing key 'models' (a list of { name, in, ... })");
      }
      List<ZooModel> models = new ArrayList<>();
      Set<String> names = new HashSet<>();
      List<? extends Config> list = c.getConfigList("models");
      for (int i = 0; i < list.size(); i++) {
        Config m = list.get(i);
        String at = where + ", models[" + i + "]";
        checkKeys(m.root().keySet(), MODEL, at, "");
        if (!m.hasPath("name") || !m.hasPath("in")) {
          throw new UsageException(at + ": every model needs 'name' and 'in'");
        }
        ZooModel model = model(m, defaults, base);
        if (!names.add(model.name())) {
          throw new InvalidInputException(at + ": duplicate model name '" + model.name() + "'");
        }
        models.add(model);
      }
      return new ZooManifest(abs, out, models, settings);
    } catch (ConfigException e) {
      throw new UsageException(Recipes.describe(e));
    } catch (IllegalArgumentException e) {
      throw new UsageException(where + ": " + e.getMessage());
    }
  }

  private static ZooModel model(Config m, Config defaults, Path base) {
    Config merged = m.withFallback(defaults);
    Map<String, String> set = new TreeMap<>();
    if (merged.hasPath("set")) {
      // Model keys over default keys: withFallback merges the two objects key by key.
      for (Map.Entry<String, ConfigValue> e : merged.getConfig("set").entrySet()) {
        ConfigValue v = e.getValue();
        set.put(e.getKey(), v.valueType() == ConfigValueType.STRING ? (String) v.unwrapped()
            : v.render(com.typesafe.config.ConfigRenderOptions.concise()));
      }
    }
    List<String> overrides = set.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    String in = m.getString("in");
    String data = merged.hasPath("data") ? merged.getString("data") : null;
    String recipe = merged.hasPath("recipe") ? merged.getString("recipe") : null;
    return new ZooModel(m.getString("name"), absolute(base, in), recipe == null ? null : relativeFile(base, recipe),
        overrides, data == null ? null : relativeFile(base, data));
  }

  /** A path as the manifest means it: a URI (hdfs://, file:) as written, else from the manifest's folder. */
  private static String absolute(Path base, String path) {
    return path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") ? path : base.resolve(path).normalize().toString();
  }

  /** A recipe or data name stays a name unless a file of that name sits next to the manifest. */
  private static String relativeFile(Path base, String value) {
    if (value.contains("/") || Files.exists(base.resolve(value))) {
      return absolute(base, value);
    }
    return value;
  }

  private static void checkKeys(Set<String> keys, Set<String> valid, String where, String prefix) {
    for (String k : keys) {
      if (!valid.contains(k)) {
        throw new UsageException(where + ": unknown key '" + prefix + k + "'"
            + Suggestions.didYouMean(k, new java.util.TreeSet<>(valid)) + " (valid: "
            + String.join(", ", new java.util.TreeSet<>(valid)) + ")");
      }
    }
  }
}
