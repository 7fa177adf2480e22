package nnzip.zoo;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import nnzip.InvalidInputException;

/**
 * One model of a zoo manifest, defaults applied.
 *
 * @param name the model's name: its folder under the zoo's output directory and its artifact's
 *     base name; letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or
 *     digit, at most 100 characters (so no {@code ..}, {@code /} or absolute path)
 * @param in the model's path, absolute (a relative path in the manifest is taken from the
 *     manifest's folder)
 * @param recipe a bundled recipe name or recipe file, or null for reference.conf alone
 * @param overrides {@code key=value} recipe overrides, as {@code --set} takes them, sorted by key
 * @param data the training data set (as {@code compress --data}), or null
 */
public record ZooModel(String name, String in, String recipe, List<String> overrides, String data) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public ZooModel {
    checkName(name);
    Objects.requireNonNull(in, "in");
    overrides = List.copyOf(overrides);
  }

  /**
   * Refuses a name that could write outside the zoo's directory or is not a plain file name.
   *
   * @throws InvalidInputException naming what is wrong with it
   */
  static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidInputException("zoo model name is empty");
    }
    if (!NAME.matcher(name).matches()) {
      String why = name.contains("..") ? "contains '..'" : name.contains("/") || name.contains("\\")
          ? "contains a path separator" : name.length() > 100 ? "is longer than 100 characters"
          : "must be letters, digits, '.', '_' or '-', starting with a letter or digit";
      throw new InvalidInputException("zoo model name '" + Texts.clip(name, 120) + "' " + why
          + " (a name is the model's folder under out)");
    }
  }
}
