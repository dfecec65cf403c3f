package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamePatternTest {
  private final NamePattern wink = NamePattern.compile("wink[a-z]{1-4}.exe");

  @Test
  void winkPatternMatchesKlezNamesInAnyCase() {
    assertThat(wink.matches("WINKXYZW.EXE")).isTrue();
    assertThat(wink.matches("winkabcd.exe")).isTrue();
    assertThat(wink.matches("WinkQ.Exe")).isTrue();
  }

  @Test
  void winkPatternRejectsLongerNamesLikeWinKeyHelper() {
    assertThat(wink.matches("WinKeyHelper.exe")).isFalse();
    assertThat(wink.matches("WINKABCDE.EXE")).isFalse();
  }

  @Test
  void winkPatternRejectsOtherExtensionsDigitsAndBareWink() {
    assertThat(wink.matches("wink.txt")).isFalse();
    assertThat(wink.matches("wink.exe")).isFalse();
    assertThat(wink.matches("wink12.exe")).isFalse();
    assertThat(wink.matches("winkabcd.exe.txt")).isFalse();
  }

  @Test
  void dotIsLiteralNotAnyCharacter() {
    assertThat(wink.matches("winkabcdxexe")).isFalse();
  }

  @Test
  void starAndQuestionMarkWorkAsInShellGlobs() {
    NamePattern p = NamePattern.compile("*.t?t");
    assertThat(p.matches("notes.txt")).isTrue();
    assertThat(p.matches(".tat")).isTrue();
    assertThat(p.matches("notes.tt")).isFalse();
  }

  @Test
  void negatedClassExcludesItsMembers() {
    NamePattern p = NamePattern.compile("[!0-9]*");
    assertThat(p.matches("abc")).isTrue();
    assertThat(p.matches("1bc")).isFalse();
  }

  @Test
  void backslashQuotesSpecialCharacters() {
    NamePattern p = NamePattern.compile("a\\*b");
    assertThat(p.matches("a*b")).isTrue();
    assertThat(p.matches("axb")).isFalse();
  }

  @Test
  void malformedPatternsAreRefusedWithThePosition() {
    assertThatThrownBy(() -> NamePattern.compile("wink[a-z.exe"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 5");
    assertThatThrownBy(() -> NamePattern.compile("{2}abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats nothing");
    assertThatThrownBy(() -> NamePattern.compile("a{4-2}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum above");
    assertThatThrownBy(() -> NamePattern.compile("a{999}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NamePattern.compile(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void patternsThatWouldBacktrackExponentiallyAsRegexesStillAnswer() {
    // (a*)*b style: a regex engine backtracks 2^n times on "aaaa...c".
    NamePattern p = NamePattern.compile("*a*a*a*a*a*a*a*a*a*a*a*a*b");
    assertThat(p.matches("a".repeat(250) + "c")).isFalse();
  }
}
