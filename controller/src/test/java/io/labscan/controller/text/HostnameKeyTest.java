package io.labscan.controller.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hostnames are endpoint claims: names that print the same are the same name (issue 15, D). */
class HostnameKeyTest {
  @Test
  void aZeroWidthSpaceAfterTheNameIsTheSameName() {
    assertThat(HostnameKey.of("lab-pc-07\u200B")).isEqualTo(HostnameKey.of("lab-pc-07"));
  }

  @Test
  void formatCharactersAnywhereInTheNameAreIgnored() {
    assertThat(HostnameKey.of("\uFEFFlab\u00AD-pc\u2060-0\u200D7\u200E")).isEqualTo("lab-pc-07");
  }

  @Test
  void caseFullWidthLettersAndATrailingDotFoldToThePlainName() {
    assertThat(HostnameKey.of("ＬＡＢ-PC-07.")).isEqualTo("lab-pc-07");
  }

  @Test
  void differentNamesKeepDifferentKeys() {
    assertThat(HostnameKey.of("lab-pc-07")).isNotEqualTo(HostnameKey.of("lab-pc-08"));
  }

  @Test
  void theSharedKeysAreThoseOfNamesTwoHostsHaveNotOneHostReportedTwice() {
    List<Map.Entry<String, String>> fleet = List.of(Map.entry("a", "lab-pc-07"), Map.entry("b", "lab-pc-07\u200B"),
        Map.entry("c", "lab-pc-12"), Map.entry("c", "LAB-PC-12"));

    assertThat(HostnameKey.shared(fleet)).containsExactly("lab-pc-07");
  }

  @Test
  void cyrillicLettersDrawnLikeLatinOnesAreTheLatinName() {
    // "lаb-рс-07" with Cyrillic а (U+0430), р (U+0440), с (U+0441)
    assertThat(HostnameKey.of("l\u0430b-\u0440\u0441-07")).isEqualTo("lab-pc-07");
    assertThat(HostnameKey.of("\u0415\u0425\u0421HANGE")).isEqualTo("exchange");
    assertThat(HostnameKey.of("h\u043E\u0445-\u0435")).isEqualTo("hox-e");
  }

  @Test
  void greekLettersDrawnLikeLatinOnesAreTheLatinName() {
    assertThat(HostnameKey.of("LAB-\u03A1C-\u039F7")).isEqualTo("lab-pc-o7");
    assertThat(HostnameKey.of("l\u03B1b-pc-07")).isEqualTo("lab-pc-07");
  }

  @Test
  void aGreekCapitalIsMappedByItsShapeBeforeCaseFolding() {
    // Capital Eta prints as H; its small letter eta prints as n and is not folded to h.
    assertThat(HostnameKey.of("\u0397OST")).isEqualTo("host");
    assertThat(HostnameKey.of("\u03B7ost")).isNotEqualTo("host");
  }

  @Test
  void fullWidthAndMathematicalLettersFoldThroughNfkc() {
    assertThat(HostnameKey.of("\uFF4C\uFF41\uFF42-pc-07")).isEqualTo("lab-pc-07");
    assertThat(HostnameKey.of("\uD835\uDC25ab-pc-07")).isEqualTo("lab-pc-07"); // MATHEMATICAL BOLD SMALL L
  }

  @Test
  void asciiDigitsAndLettersThatResembleEachOtherStayDifferentNames() {
    assertThat(HostnameKey.of("lab-pc-10")).isNotEqualTo(HostnameKey.of("lab-pc-1o"));
    assertThat(HostnameKey.of("lab-pc-1")).isNotEqualTo(HostnameKey.of("lab-pc-l"));
    assertThat(HostnameKey.of("lab-pc-07")).isNotEqualTo(HostnameKey.of("lab-pc-o7"));
    assertThat(HostnameKey.of("modern")).isNotEqualTo(HostnameKey.of("rnodern"));
  }

  @Test
  void aCyrillicLookAlikeOfAnotherHostsNameIsASharedName() {
    List<Map.Entry<String, String>> fleet = List.of(Map.entry("a", "mail-relay"),
        Map.entry("b", "m\u0430il-r\u0435l\u0430y"), Map.entry("c", "lab-pc-01"));

    assertThat(HostnameKey.shared(fleet)).containsExactly("mail-relay");
  }
  @Test
  void dashesAndMinusSignsThatPrintLikeAHyphenAreTheHyphen() {
    // T8 (red-team round 7): U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN, U+2012 FIGURE DASH, U+2013 EN
    // DASH, U+2212 MINUS SIGN, U+FE63 SMALL HYPHEN-MINUS, U+FF0D FULLWIDTH HYPHEN-MINUS.
    for (String dash : List.of("\u2010", "\u2011", "\u2012", "\u2013", "\u2212", "\uFE63", "\uFF0D")) {
      assertThat(HostnameKey.of("lab" + dash + "pc" + dash + "12")).as("U+%04X", (int) dash.charAt(0))
          .isEqualTo("lab-pc-12");
    }
  }

  @Test
  void aLookAlikeNameIsOneWhoseKeyIsNotItsPlainSpelling() {
    assertThat(HostnameKey.lookAlike("lab\u2010pc\u201012")).isTrue();
    assertThat(HostnameKey.lookAlike("l\u0430b-pc-12")).isTrue();
    assertThat(HostnameKey.lookAlike("ＬＡＢ-PC-12")).isTrue();
    assertThat(HostnameKey.lookAlike("LAB-PC-12")).isFalse();
    assertThat(HostnameKey.lookAlike("lab-pc-12.example.edu.")).isFalse();
  }

  @Test
  void aHyphenLookAlikeOfAnotherHostsNameIsASharedName() {
    List<Map.Entry<String, String>> fleet = List.of(Map.entry("harold", "lab-pc-12"),
        Map.entry("worm", "lab\u2011pc\u221212"));

    assertThat(HostnameKey.shared(fleet)).containsExactly("lab-pc-12");
  }
}
