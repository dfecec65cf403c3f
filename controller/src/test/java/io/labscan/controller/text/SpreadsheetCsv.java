package io.labscan.controller.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV LabScan wrote the way a spreadsheet would, with a real CSV parser (Apache Commons
 * CSV), and checks what every export promises whatever the reader's locale: no {@code ,} or
 * {@code ;} outside quotes except LabScan's own separators, no cell starting a formula.
 */
public final class SpreadsheetCsv {
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"]|\"\")*\"");

  private SpreadsheetCsv() {}

  /** The rows, read with {@code ,} as the separator (RFC 4180). */
  public static List<List<String>> rows(String csv) {
    List<List<String>> out = new ArrayList<>();
    try {
      for (CSVRecord r : CSVFormat.RFC4180.parse(new StringReader(csv))) {
        out.add(r.toList());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Every line with its quoted cells taken out holds only LabScan's commas and bare numbers: no
   * {@code ;} a European-locale Excel would split on, no formula start, no letters at all (so
   * every text cell was quoted).
   */
  public static void assertEveryTextCellQuoted(String csv) {
    csv.lines().skip(1).forEach(line -> assertThat(QUOTED.matcher(line).replaceAll(""))
        .as("line %s outside its quoted cells", line).matches("[0-9.,]*"));
  }

  /** No cell, read as a spreadsheet reads it, starts with a formula character. */
  public static void assertNoFormula(String csv) {
    for (List<String> row : rows(csv)) {
      for (String cell : row) {
        assertThat(cell).as("cell of %s", row).doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("-")
            .doesNotStartWith("@").doesNotStartWith("\t").doesNotStartWith("\r");
      }
    }
  }
}
