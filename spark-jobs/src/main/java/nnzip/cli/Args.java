package nnzip.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command-line options of one command: {@code --name value} options (repeatable ones keep
 * every value), boolean flags, and nothing positional. Unknown options are a usage error.
 */
public final class Args {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  private Args() {}

  /**
   * Parses {@code argv}.
   *
   * @param withValue options that take a value (e.g. "--in")
   * @param flags options without a value (e.g. "--json")
   * @throws UsageException on an unknown option, a missing value or a positional argument
   */
  public static Args parse(String[] argv, Set<String> withValue, Set<String> flags) {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0 && withValue.contains(arg.substring(0, eq))) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= argv.length) {
            throw new UsageException("option " + name + " needs a value");
          }
          value = argv[++i];
        }
        a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } else if (flags.contains(name)) {
        a.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
      } else if (arg.startsWith("-")) {
        Set<String> known = new java.util.TreeSet<>(withValue);
        known.addAll(flags);
        throw new UsageException("unknown option " + arg + Suggestions.didYouMean(eq > 0 ? arg.substring(0, eq) : arg, known));
      } else {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
    }
    return a;
  }

  /** The last value of an option, or null. */
  public String get(String name) {
    List<String> v = values.get(name);
    return v == null ? null : v.get(v.size() - 1);
  }

  /** The value of a required option. */
  public String require(String name) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw new UsageException("missing required option " + name);
    }
    return v;
  }

  /** Every value of a repeatable option, in order. */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** An integer option or its default. */
  public int getInt(String name, int dflt) {
    String v = get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("option " + name + " expects an integer, got '" + v + "'");
    }
  }
}
