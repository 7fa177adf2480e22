package nnzip.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import nnzip.cli.Suggestions;
import nnzip.cli.UsageException;
import nnzip.codec.CodecKind;
import nnzip.codec.Scope;
import nnzip.compress.CompressionSettings;
import nnzip.io.HadoopFiles;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Resolves a recipe: the bundled {@code reference.conf}, then a named recipe or a recipe file,
 * then {@code --set key=value} overrides. Every key must exist in the reference, so a typo is an
 * error offering the closest valid key; errors name where the bad text came from (the recipe file and
 * line, the bundled recipe, or the {@code --set}). This is the only place that reads Typesafe Config.
 */
public final class Recipes {
  private static final String CONF_ROOT = "nnzip/conf/";
  /** Origin description of a {@code --set}: the whole option, so an error can quote it. */
  private static final String SET_ORIGIN = "--set ";

  private Recipes() {}

  /** The bundled recipe defaults (without the {@code zoo} block, which is no recipe key). */
  public static Config reference() {
    return bundledReference().withoutPath("zoo");
  }

  /** The bundled defaults of {@code nnzip zoo}: reference.conf's {@code zoo} block. */
  public static Config zooReference() {
    return bundledReference().getConfig("zoo");
  }

  private static Config bundledReference() {
    return ConfigFactory.parseResources(Recipes.class.getClassLoader(), CONF_ROOT + "reference.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /** Names of the recipes shipped in the jar. */
  public static List<String> bundledNames() {
    return List.of("uniform-8bit", "uniform-4bit", "lossless", "dp-4bit", "dp-2bit", "aq-1bit", "aq-1.5bit",
        "aq-2bit", "aq-3bit", "aq-4bit", "dp-net-2bit", "prune-dp-3bit", "dirichlet-dp-3bit", "line-structured",
        "line-unstructured");
  }

  /**
   * Resolves a recipe.
   *
   * @param recipe null, a bundled recipe name, or a path (Hadoop or local) of a HOCON file
   * @param overrides {@code key=value} strings, applied in order
   * @throws UsageException for an unknown recipe, a bad override, an unknown key or a bad value
   */
  public static Config resolve(String recipe, List<String> overrides) {
    Config reference = reference();
    Config config = reference;
    if (recipe != null) {
      config = load(recipe).withFallback(config);
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--set expects key=value, got '" + o + "'");
      }
      String key = o.substring(0, eq).trim();
      String value = o.substring(eq + 1).trim();
      try {
        config = ConfigFactory.parseString(key + " = " + quoteIfNeeded(value),
            ConfigParseOptions.defaults().setOriginDescription(SET_ORIGIN + o)).withFallback(config);
      } catch (ConfigException e) {
        throw new UsageException(SET_ORIGIN + o + ": " + withoutOrigin(e));
      }
    }
    try {
      Config resolved = config.resolve();
      checkKeys(resolved, reference.resolve());
      return resolved;
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    }
  }

  /**
   * A Typesafe Config error as one line that starts with where the bad text is: {@code recipe file
   * my.conf, line 3: ...}, {@code recipe dp-4bit, line 2: ...} or {@code --set bits=x: ...}.
   */
  public static String describe(ConfigException e) {
    return e.origin() == null ? "recipe: " + e.getMessage() : where(e.origin()) + ": " + withoutOrigin(e);
  }

  /** The message without the origin Typesafe Config puts in front ("desc: line: message"). */
  private static String withoutOrigin(ConfigException e) {
    String msg = e.getMessage();
    String prefix = e.origin() == null ? null : e.origin().description() + ": ";
    return prefix != null && msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
  }

  private static String where(ConfigOrigin o) {
    // description() is "<what we named it>: <line>" (or "...: <line>-<last line>").
    String base = o.description().replaceFirst(": \\d+(-\\d+)?$", "");
    return base.startsWith(SET_ORIGIN) || o.lineNumber() <= 0 ? base : base + ", line " + o.lineNumber();
  }

  /**
   * A recipe as HOCON text (as {@link #render} writes it and artifacts store it) turned into JSON text,
   * for reports that show the recipe as an object: a delta ({@link #DELTA_MARK}) is resolved against
   * {@code reference.conf} first, so every key shows; artifacts of earlier builds store every key.
   *
   * @throws nnzip.InvalidInputException if the text is not HOCON
   */
  public static String toJson(String hocon) {
    try {
      Config stored = ConfigFactory.parseString(hocon);
      if (hocon.startsWith(DELTA_MARK)) {
        stored = stored.withFallback(reference()).resolve().withoutPath("partitions");
      }
      return stored.root().render(ConfigRenderOptions.concise().setJson(true));
    } catch (ConfigException e) {
      throw new nnzip.InvalidInputException("stored recipe is not valid HOCON: " + e.getMessage());
    }
  }

  private static String quoteIfNeeded(String value) {
    // Lists and objects pass as HOCON; other values may hold characters HOCON treats specially.
    if (value.startsWith("[") || value.startsWith("{") || value.startsWith("\"")) {
      return value;
    }
    return com.typesafe.config.ConfigValueFactory.fromAnyRef(value).render(ConfigRenderOptions.concise());
  }

  private static Config load(String recipe) {
    if (bundledNames().contains(recipe)) {
      return ConfigFactory.parseResources(Recipes.class.getClassLoader(), CONF_ROOT + "recipes/" + recipe + ".conf",
          ConfigParseOptions.defaults().setOriginDescription("recipe " + recipe));
    }
    Path path = HadoopFiles.qualify(recipe);
    FileSystem fs = HadoopFiles.fileSystem(path.toString());
    try {
      if (!fs.exists(path)) {
        String near = Suggestions.closest(recipe, bundledNames());
        throw new UsageException("unknown recipe '" + recipe + "'" + (near != null ? "; did you mean '" + near + "'?"
            : ": not a file and not one of " + String.join(", ", bundledNames())));
      }
      try (Reader r = new InputStreamReader(fs.open(path), StandardCharsets.UTF_8)) {
        return ConfigFactory.parseReader(r, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
            .setOriginDescription("recipe file " + recipe));
      }
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    } catch (IOException e) {
      throw new UsageException("cannot read recipe " + recipe + ": " + e.getMessage());
    }
  }

  /** A number, or a string that reads as one (--set gives strings; Typesafe Config converts them). */
  private static boolean isNumber(ConfigValue v) {
    if (v.valueType() == com.typesafe.config.ConfigValueType.NUMBER) {
      return true;
    }
    if (v.valueType() != com.typesafe.config.ConfigValueType.STRING) {
      return false;
    }
    try {
      Double.parseDouble(((String) v.unwrapped()).trim());
      return true;
    } catch (NumberFormatException ex) {
      return false;
    }
  }

  private static void checkKeys(Config config, Config reference) {
    Set<String> valid = new TreeSet<>(reference.entrySet().stream().map(Map.Entry::getKey).toList());
    for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
      String key = e.getKey();
      // A key whose default is one number per case (subspace.model-lr) also takes one number for all.
      boolean forAll = isNumber(e.getValue()) && reference.hasPath(key)
          && reference.getValue(key).valueType() == com.typesafe.config.ConfigValueType.OBJECT
          && reference.getConfig(key).entrySet().stream()
              .allMatch(v -> v.getValue().valueType() == com.typesafe.config.ConfigValueType.NUMBER);
      if (!valid.contains(key) && !forAll) {
        String near = Suggestions.closest(key, valid);
        throw new UsageException(where(e.getValue().origin()) + ": unknown recipe key '" + key + "'"
            + (near != null ? "; did you mean '" + near + "'?" : "; valid keys: " + String.join(", ", valid)));
      }
    }
  }

  /**
   * First line of a stored recipe that holds only the keys whose values differ from this build's
   * {@code reference.conf} (a HOCON comment, so the text stays valid HOCON).
   */
  public static final String DELTA_MARK = "# over reference.conf\n";

  /**
   * The resolved recipe as stored in the artifact: {@link #DELTA_MARK}, then HOCON text of the keys
   * whose values differ from {@code reference.conf}'s (the reference itself is fixed by the nnzip
   * version the provenance names; {@link #toJson} resolves the text against it again). Execution-only
   * keys are left out: they never change the artifact's content, and the artifact must be
   * byte-identical whatever they are. Measured: the full text was a third of a pruned mlp-300-100
   * artifact's header (640 of 2,902 inflated bytes; ~270 bytes deflated).
   */
  public static String render(Config config) {
    Config reference = reference().resolve();
    Config delta = ConfigFactory.empty();
    for (Map.Entry<String, ConfigValue> e : flatten(config.withoutPath("partitions").withoutPath("spark")).entrySet()) {
      String key = e.getKey();
      if (!reference.hasPathOrNull(key) || !sameValue(reference.getValue(key), e.getValue())) {
        delta = delta.withValue(key, e.getValue());
      }
    }
    // One line: the recipe rides in every artifact's header, where indentation cost ~20% of its bytes.
    return DELTA_MARK + delta.root().render(ConfigRenderOptions.concise().setJson(false));
  }

  /** Every leaf path of a config with its value, sorted by path (so the stored text is deterministic). */
  private static Map<String, ConfigValue> flatten(Config c) {
    Map<String, ConfigValue> all = new java.util.TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      all.put(e.getKey(), e.getValue());
    }
    return all;
  }

  private static boolean sameValue(ConfigValue a, ConfigValue b) {
    return a.valueType() == b.valueType() && java.util.Objects.equals(a.unwrapped(), b.unwrapped());
  }

  /**
   * Typed settings from a resolved recipe.
   *
   * @throws UsageException naming the key whose value is invalid
   */
  public static CompressionSettings settings(Config c) {
    try {
      List<Pattern> patterns = new ArrayList<>();
      for (String p : c.getStringList("passthrough.patterns")) {
        patterns.add(Pattern.compile(p));
      }
      return new CompressionSettings(
          parse("codec", () -> CodecKind.parse(c.getString("codec"))),
          c.getInt("bits"),
          parse(scopeKey(c), () -> Scope.valueOf(c.getString(scopeKey(c)).toUpperCase(java.util.Locale.ROOT))),
          patterns,
          c.getLong("passthrough.min-elements"),
          c.getInt("passthrough.max-rank"),
          c.getBoolean("allow-non-finite") ? CompressionSettings.NonFinite.KEEP : CompressionSettings.NonFinite.REJECT,
          c.getBytes("shard-bytes"),
          c.getInt("partitions"),
          c.getLong("seed"),
          c.getInt("dp.bins"),
          parse("entropy", () -> switch (c.getString("entropy")) {
            case "none" -> CompressionSettings.CodeStreams.PACKED;
            case "cabac" -> CompressionSettings.CodeStreams.CABAC;
            default -> throw new IllegalArgumentException("must be none or cabac, got '" + c.getString("entropy") + "'");
          }),
          c.getInt("passthrough.dp-bits"),
          c.getInt("passthrough.uniform-bits"),
          aqSettings(c),
          parse("passthrough.norm-statistics", () -> CompressionSettings.NormStatistics.valueOf(
              c.getString("passthrough.norm-statistics").toUpperCase(java.util.Locale.ROOT))),
          List.of()); // tensor codec rules are not recipe keys (train --subspace sets its own)
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    } catch (PatternSyntaxException e) {
      throw new UsageException("recipe key passthrough.patterns: bad regular expression " + e.getPattern());
    } catch (IllegalArgumentException e) {
      throw new UsageException("recipe: " + e.getMessage());
    }
  }

  /**
   * The aq part of a resolved recipe.
   *
   * @throws UsageException naming the key whose value is invalid
   */
  public static nnzip.compress.aq.AqSettings aqSettings(Config c) {
    try {
      String scope = c.getString("aq.scope");
      if (!scope.equals("global") && !scope.equals("tensor")) {
        throw new UsageException("recipe key aq.scope: expected global or tensor, got '" + scope + "'");
      }
      nnzip.codec.aq.AqParams p = new nnzip.codec.aq.AqParams(c.getInt("aq.dim"), c.getInt("aq.codebooks"),
          c.getInt("aq.codebook-bits"), c.getInt("aq.beam"), c.getInt("aq.iterations"), c.getDouble("aq.lambda"),
          c.getLong("seed"));
      String dtype = c.getString("aq.codebook-dtype");
      if (!dtype.equals("f32") && !dtype.equals("f16")) {
        throw new UsageException("recipe key aq.codebook-dtype: expected f32 or f16, got '" + dtype + "'");
      }
      return new nnzip.compress.aq.AqSettings(p, scope.equals("global") ? Scope.GLOBAL : Scope.TENSOR,
          c.getBoolean("aq.normalize") ? nnzip.compress.aq.AqSettings.Normalization.RMS
              : nnzip.compress.aq.AqSettings.Normalization.NONE,
          c.getDouble("aq.tolerance"), dtype.equals("f16") ? nnzip.tensor.DType.F16 : nnzip.tensor.DType.F32,
          c.getInt("aq.init-lloyd"));
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    } catch (IllegalArgumentException e) {
      throw new UsageException("recipe: aq: " + e.getMessage());
    }
  }

  /**
   * The structured-pruning part of a resolved recipe.
   *
   * @throws UsageException naming the key whose value is invalid
   */
  public static nnzip.prune.PruneSettings pruneSettings(Config c) {
    try {
      return new nnzip.prune.PruneSettings(
          parse("structured.method", () -> nnzip.prune.dirichlet.ChannelSelection.Method.parse(
              c.getString("structured.method"))),
          parse("structured.keep", () -> new nnzip.prune.PruneBudget(c.getDouble("structured.keep"),
              c.getDouble("structured.keep-flops"))),
          parse("structured.allocation", () -> nnzip.prune.StructuredPruning.Allocation.valueOf(
              c.getString("structured.allocation").toUpperCase(java.util.Locale.ROOT))),
          c.getInt("structured.gate-epochs"), choice(c, "structured.gate-optimizer", nnzip.train.Optimizer.Kind.class),
          c.getDouble("structured.gate-lr"),
          new nnzip.prune.dirichlet.GateSettings(c.getDouble("structured.alpha0"), c.getDouble("structured.kl-weight"),
              c.getDouble("structured.initial-concentration"), c.getLong("seed")),
          choice(c, "structured.gate-score", nnzip.prune.dirichlet.ChannelSelection.GateScore.class),
          c.getBoolean("structured.fold-gates"), c.getInt("structured.mean-compensation"),
          c.getInt("structured.recalibrate"),
          c.getInt("structured.retrain-epochs"), c.getDouble("structured.retrain-lr"),
          parse("structured.retrain-schedule", () -> nnzip.train.Optimizer.Schedule.parse(
              c.getString("structured.retrain-schedule"))), c.getLong("seed"));
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    } catch (IllegalArgumentException e) {
      throw new UsageException("recipe: " + e.getMessage());
    }
  }

  /**
   * The finetune part of a resolved recipe.
   *
   * @throws UsageException naming the key whose value is invalid
   */
  public static nnzip.train.TrainingSettings training(Config c) {
    try {
      double lr = c.getDouble("finetune.lr");
      double momentum = c.getDouble("finetune.momentum");
      nnzip.train.Optimizer.Kind kind = nnzip.train.Optimizer.Kind.parse(c.getString("finetune.optimizer"));
      var opt = kind == nnzip.train.Optimizer.Kind.ADAM
          ? new nnzip.train.Optimizer(kind, lr, momentum, 0.999, 1e-8) : nnzip.train.Optimizer.sgd(lr, momentum);
      opt = opt.withSchedule(nnzip.train.Optimizer.Schedule.parse(c.getString("finetune.schedule")));
      return new nnzip.train.TrainingSettings(c.getInt("finetune.epochs"), opt, c.getInt("finetune.batch"),
          c.getInt("finetune.chunk"), c.getDouble("finetune.validation"), c.getInt("finetune.steps-per-round"),
          c.getLong("seed"), c.getDouble("finetune.dp-net.lambda"), c.getInt("finetune.dp-net.epochs"),
          c.getInt("finetune.qat.epochs"), c.getInt("finetune.examples"), new nnzip.train.TrainingSettings.Pruning(
              c.getDouble("finetune.prune.sparsity"), c.getInt("finetune.prune.epochs"),
              pruneGlobal(c.getString("finetune.prune.scope")), c.getDouble("finetune.prune.ramp")),
          new nnzip.train.Distillation(c.getDouble("finetune.distill.alpha"),
              c.getDouble("finetune.distill.temperature")),
          new nnzip.train.TrainingSettings.AqReencode(c.getInt("finetune.aq-reencode"), c.getInt("aq.beam"),
              parse("finetune.aq-reencode-target", () -> nnzip.train.TrainingSettings.AqReencode.Target.parse(
                  c.getString("finetune.aq-reencode-target")))));
    } catch (ConfigException e) {
      throw new UsageException(describe(e));
    } catch (IllegalArgumentException e) {
      throw new UsageException("recipe: finetune: " + e.getMessage());
    }
  }

  private static boolean pruneGlobal(String scope) {
    return switch (scope) {
      case "global" -> true;
      case "tensor" -> false;
      default -> throw new IllegalArgumentException("prune.scope must be global or tensor, got '" + scope + "'");
    };
  }

  /** The key that sets the scope of the recipe's codec: {@code dp.scope} for dp, else {@code scope}. */
  private static String scopeKey(Config c) {
    return "dp".equals(c.getString("codec")) ? "dp.scope" : "scope";
  }

  /**
   * The constant of an enum-valued key (its lower-case name with '-' for '_', any case accepted).
   *
   * @throws UsageException in one line: where the value came from, the valid names and the closest one
   */
  private static <E extends Enum<E>> E choice(Config c, String key, Class<E> type) {
    String value = c.getString(key);
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
      if (e.name().equalsIgnoreCase(value.trim().replace('-', '_'))) {
        return e;
      }
    }
    throw new UsageException(where(c.getValue(key).origin()) + ": recipe key " + key + ": '" + value
        + "' is not one of " + String.join(", ", names) + Suggestions.didYouMean(value, names));
  }

  private static <T> T parse(String key, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      throw new IllegalArgumentException(key + ": " + (msg.startsWith("No enum") ? "invalid value" : msg));
    }
  }
}
