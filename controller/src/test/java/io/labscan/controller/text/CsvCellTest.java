package io.labscan.controller.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Text#csvCell} and {@link Text#csvNumber}: the one cell encoding of every CSV LabScan writes. */
class CsvCellTest {
  @Test
  void aPlainTextCellIsQuotedToo() {
    assertThat(Text.csvCell("lab-pc-07")).isEqualTo("\"lab-pc-07\"");
    assertThat(Text.csvCell("")).isEqualTo("\"\"");
  }

  @Test
  void theSemicolonEuropeanExcelSplitsOnStaysInsideTheCell() {
    assertThat(Text.csvCell("pc;=cmd|' /C calc'!A0")).isEqualTo("\"pc;=cmd|' /C calc'!A0\"");
  }

  @Test
  void quotesAreDoubledInsideTheQuotedCell() {
    assertThat(Text.csvCell("pc \"nine\", room 2")).isEqualTo("\"pc \"\"nine\"\", room 2\"");
  }

  @Test
  void everyFormulaStartOwaspListsGetsALeadingApostrophe() {
    assertThat(Text.csvCell("=1+1")).isEqualTo("\"'=1+1\"");
    assertThat(Text.csvCell("+1")).isEqualTo("\"'+1\"");
    assertThat(Text.csvCell("-1")).isEqualTo("\"'-1\"");
    assertThat(Text.csvCell("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
    assertThat(Text.csvCell("\t=1+1")).isEqualTo("\"'\\x09=1+1\"");
    assertThat(Text.csvCell("\r=1+1")).isEqualTo("\"'\\x0D=1+1\"");
  }

  @Test
  void lineBreaksAndControlCharactersAreEscapedNotWrittenRaw() {
    assertThat(Text.csvCell("a\r\nb\u001b[2J")).isEqualTo("\"a\\x0D\\x0Ab\\x1B[2J\"");
  }

  @Test
  void numbersStayBareNumbers() {
    assertThat(Text.csvNumber(42)).isEqualTo("42");
    assertThat(Text.csvNumber(-3)).isEqualTo("-3");
    assertThat(Text.csvNumber(66.666, 1)).isEqualTo("66.7");
    assertThatThrownBy(() -> Text.csvNumber(Double.NaN, 1)).hasMessageContaining("not a finite number");
  }
}
