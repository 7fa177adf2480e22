package nnzip.cli;

import java.util.Collection;
import java.util.Locale;

/**
 * The closest valid choice to a mistyped command, option, recipe name or recipe key, by the
 * optimal-string-alignment edit distance (Levenshtein plus adjacent transpositions, so "bist" is one
 * edit from "bits"). A choice is offered only when it is close enough to be the likely intent.
 */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The valid choice nearest to {@code typed}, ignoring case, or null when none is within
   * {@link #maxDistance}; ties go to the first in {@code choices}' iteration order.
   */
  public static String closest(String typed, Collection<String> choices) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String t = typed.toLowerCase(Locale.ROOT);
    for (String c : choices) {
      int d = distance(t, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= maxDistance(typed) ? best : null;
  }

  /** {@code "; did you mean 'x'?"} for the closest choice, or {@code ""} when none is close. */
  public static String didYouMean(String typed, Collection<String> choices) {
    String c = closest(typed, choices);
    return c == null ? "" : "; did you mean '" + c + "'?";
  }

  /**
   * Edits tolerated for a word of this length: a third of it, at least 1 and at most 3, so that
   * short words are not "corrected" into unrelated ones.
   */
  static int maxDistance(String typed) {
    return Math.max(1, Math.min(3, typed.length() / 3));
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
