package nnzip.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FingerprintTest {
  private static final Fingerprint BASE = new Fingerprint("s", "r", "1.0", "abc");

  @Test
  void eachChangeGivesItsReasonInTheDocumentedOrder() {
    assertEquals(Reason.NEW, BASE.against(null, true));
    assertEquals(Reason.UNCHANGED, BASE.against(new Fingerprint("s", "r", "1.0", "abc"), true));
    assertEquals(Reason.ARTIFACT_MISSING, BASE.against(BASE, false));
    assertEquals(Reason.SOURCE_CHANGED, BASE.against(new Fingerprint("t", "q", "0.9", "x"), true));
    assertEquals(Reason.RECIPE_CHANGED, BASE.against(new Fingerprint("s", "q", "0.9", "x"), false));
    assertEquals(Reason.VERSION_CHANGED, BASE.against(new Fingerprint("s", "r", "0.9", "abc"), true));
    assertEquals(Reason.VERSION_CHANGED, BASE.against(new Fingerprint("s", "r", "1.0", "def"), true),
        "another build of the same version");
  }
}
