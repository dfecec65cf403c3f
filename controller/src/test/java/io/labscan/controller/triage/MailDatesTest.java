package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailDatesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Tue, 14 Jan 2003 09:15:02 -0800                 | 2003-01-14T17:15:02Z
      Tue, 14 Jan 2003 09:15:02 -0800 (PST)           | 2003-01-14T17:15:02Z
      14 Jan 2003 09:15:02 +0000                      | 2003-01-14T09:15:02Z
      14 Jan 03 09:15 PDT                             | 2003-01-14T16:15:00Z
      Tue, 14 Jan 03 17:15:02 UT                      | 2003-01-14T17:15:02Z
      14 Jan 99 23:59:59 GMT                          | 1999-01-14T23:59:59Z
      14 Jan 103 12:00 EST                            | 2003-01-14T17:00:00Z
      Mon, 15 Jan 2024 10:00:00 EDT                   | 2024-01-15T14:00:00Z
      Mon, 15 Jan 2024 10:00 CST                      | 2024-01-15T16:00:00Z
      Mon, 15 Jan 2024 10:00:00 MDT                   | 2024-01-15T16:00:00Z
      15 Jan 2024 10:00:00 +05:30                     | 2024-01-15T04:30:00Z
      Mon, 15 Jan 2024 11:00:00 CET                   | 2024-01-15T10:00:00Z
      Mon, 15 Jan 2024 10:00:00                       | 2024-01-15T10:00:00Z
      Mon, 15 Jan 2024 10:00:00 Z                     | 2024-01-15T10:00:00Z
      Mon, 15 Jan 2024 10:00:00 X                     | 2024-01-15T10:00:00Z
      Mon, 15 Jan 2024 02:20:04 (PST)                 | 2024-01-15T10:20:04Z
      Mon Jan 15 10:00:00 2024                        | 2024-01-15T10:00:00Z
      Monday, 15 January 2024 10:00:00 +0000          | 2024-01-15T10:00:00Z
      Mon, 15 Jan 2024 10:00:00.123 +0000             | 2024-01-15T10:00:00Z
      Sat, 31 Dec 2016 23:59:60 +0000                 | 2016-12-31T23:59:59Z
      2024-01-15T10:00:00Z                            | 2024-01-15T10:00:00Z
      2024-01-15 10:00:00 +01:00                      | 2024-01-15T09:00:00Z
      Tue, 14 Jan 2003 09:12:03 -0500 id 0000000A.3E2415D5.00004A1C | 2003-01-14T14:12:03Z
      14 Jan 03 10:05:09 EST                          | 2003-01-14T15:05:09Z
      """)
  void readsModernAndObsoleteForms(String text, String expected) {
    assertThat(MailDates.parse(text)).contains(Instant.parse(expected));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
      "", "   ", "yesterday", "Mon, 32 Jan 2024 10:00:00 +0000", "Mon, 30 Feb 2024 10:00:00 +0000",
      "Mon, 15 Foo 2024 10:00:00 +0000", "Mon, 15 Jan 2024 25:00:00 +0000",
      "Mon, 15 Jan 2024 10:61:00 +0000", "15 Jan 10:00:00", "Jan 2024 10:00:00",
      "Mon, 15 Jan 2024 10:00:00 +9999", "2024-13-45T10:00:00Z", "15 Jan 1969 10:00:00 +0000",
      "one two three 15 Jan 2024 10:00"})
  void rejectsWhatIsNotADate(String text) {
    assertThat(MailDates.parse(text)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void nullIsEmpty() {
    assertThat(MailDates.parse(null)).isEmpty();
  }
}
