package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KlezSubjectsTest {

  @Test
  void fixedSubjectsMatchIgnoringCaseAndPunctuation() {
    assertThat(KlezSubjects.matches("Worm Klez.E immunity")).isTrue();
    assertThat(KlezSubjects.matches("let's be friends")).isTrue();
    assertThat(KlezSubjects.matches("Let\u2019s be friends")).isTrue();
    assertThat(KlezSubjects.matches("MEETING NOTICE")).isTrue();
    assertThat(KlezSubjects.matches("  some   questions ")).isTrue();
    assertThat(KlezSubjects.matches("honey")).isTrue();
    assertThat(KlezSubjects.matches("How are you?")).isTrue();
    assertThat(KlezSubjects.matches("Congratulations!!!")).isTrue();
  }

  @Test
  void patternSubjectsMatch() {
    assertThat(KlezSubjects.matches("a funny game")).isTrue();
    assertThat(KlezSubjects.matches("a WinXP patch")).isTrue();
    assertThat(KlezSubjects.matches("an excite game")).isTrue();
    assertThat(KlezSubjects.matches("a IE 6.0 patch")).isTrue();
    assertThat(KlezSubjects.matches("W32.Elkern removal tools")).isTrue();
    assertThat(KlezSubjects.matches("Undeliverable mail--\"honey\"")).isTrue();
  }

  @Test
  void replyPrefixesAreIgnored() {
    assertThat(KlezSubjects.matches("Re: Fw: meeting notice")).isTrue();
  }

  @Test
  void ordinarySubjectsDoNotMatch() {
    assertThat(KlezSubjects.matches("meeting notice for Friday")).isFalse();
    assertThat(KlezSubjects.matches("lab schedule")).isFalse();
    assertThat(KlezSubjects.matches("")).isFalse();
    assertThat(KlezSubjects.matches("the game")).isFalse();
  }
}
