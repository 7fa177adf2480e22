package nnzip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessagesTest {
  @Test
  void shortTextIsQuotedWholeAndLongTextIsCutWithItsLength() {
    assertEquals("'x_train'", Messages.quote("x_train"));
    String exact = "a".repeat(Messages.MAX_QUOTED);
    assertEquals("'" + exact + "'", Messages.quote(exact));
    String q = Messages.quote("b".repeat(400_000));
    assertEquals("'" + "b".repeat(Messages.MAX_QUOTED) + "... (400000 characters)'", q);
  }

  @Test
  void oneLineReplacesControlCharactersAndCutsAtTheLineLimit() {
    assertEquals("a b c", Messages.oneLine("a\nb\tc"));
    String line = Messages.oneLine("x".repeat(Messages.MAX_LINE + 1));
    assertTrue(line.startsWith("x".repeat(Messages.MAX_LINE) + "... (") && line.length() < Messages.MAX_LINE + 40, line);
  }
}
