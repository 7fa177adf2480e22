package nnzip.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Did-you-mean: the edit distance against a slow recursive reference, and the choices it offers. */
class SuggestionsTest {
  /** The optimal-string-alignment distance straight from its recursive definition (exponential; short words). */
  static int reference(String a, String b, int i, int j) {
    if (i == 0) {
      return j;
    }
    if (j == 0) {
      return i;
    }
    int best = Math.min(reference(a, b, i - 1, j) + 1, reference(a, b, i, j - 1) + 1);
    best = Math.min(best, reference(a, b, i - 1, j - 1) + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
    if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
      best = Math.min(best, reference(a, b, i - 2, j - 2) + 1);
    }
    return best;
  }

  @Test
  void distanceMatchesTheRecursiveDefinitionOnRandomWords() {
    Random r = new Random(7);
    for (int n = 0; n < 2000; n++) {
      String a = word(r);
      String b = r.nextBoolean() ? word(r) : mutate(a, r);
      assertEquals(reference(a, b, a.length(), b.length()), Suggestions.distance(a, b), a + " / " + b);
    }
  }

  @Test
  void offersTheIntendedChoiceForCommonSlips() {
    List<String> commands = List.copyOf(Main.commands().keySet());
    assertEquals("compress", Suggestions.closest("compres", commands));
    assertEquals("decompress", Suggestions.closest("decompres", commands));
    assertEquals("inspect", Suggestions.closest("inpsect", commands), "a swap is one edit");
    assertEquals("bits", Suggestions.closest("bts", List.of("bits", "codec", "scope", "seed")));
    assertEquals("dp-4bit", Suggestions.closest("dp-4bt", nnzip.config.Recipes.bundledNames()));
    assertEquals("--overwrite", Suggestions.closest("--overwirte", List.of("--in", "--out", "--overwrite", "--json")));
  }

  @Test
  void offersNothingWhenNoChoiceIsClose() {
    assertNull(Suggestions.closest("squash", List.copyOf(Main.commands().keySet())));
    assertNull(Suggestions.closest("x", List.of("bits", "seed")));
    assertEquals("", Suggestions.didYouMean("zzzzzz", List.of("bits")));
  }

  private static String word(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(7); i > 0; i--) {
      sb.append((char) ('a' + r.nextInt(3)));
    }
    return sb.toString();
  }

  private static String mutate(String s, Random r) {
    StringBuilder sb = new StringBuilder(s);
    for (int k = r.nextInt(3); k > 0; k--) {
      int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
      switch (r.nextInt(4)) {
        case 0 -> sb.insert(at, (char) ('a' + r.nextInt(3)));
        case 1 -> { if (sb.length() > 0) sb.deleteCharAt(at); }
        case 2 -> { if (sb.length() > 0) sb.setCharAt(at, (char) ('a' + r.nextInt(3))); }
        default -> { if (at + 1 < sb.length()) { char c = sb.charAt(at); sb.setCharAt(at, sb.charAt(at + 1)); sb.setCharAt(at + 1, c); } }
      }
    }
    return sb.toString();
  }
}
