package io.labscan.controller.triage;

import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/** The header fields of one message, in order, unfolded. */
final class HeaderBlock {
  /** More header fields than any real message carries; the rest are ignored. */
  static final int MAX_FIELDS = 5000;
  private static final int MAX_VALUE = 16 * 1024;

  private final List<MailHeader> fields;
  private final boolean truncated;

  private HeaderBlock(List<MailHeader> fields, boolean truncated) {
    this.fields = List.copyOf(fields);
    this.truncated = truncated;
  }

  static HeaderBlock of(Enumeration<Header> headers) {
    List<MailHeader> list = new ArrayList<>();
    int received = 0;
    boolean truncated = false;
    while (headers.hasMoreElements()) {
      Header h = headers.nextElement();
      if (h == null || h.getName() == null || h.getValue() == null) {
        continue;
      }
      if (list.size() >= MAX_FIELDS) {
        truncated = true;
        break;
      }
      String value = h.getValue();
      if (value.length() > MAX_VALUE) {
        value = value.substring(0, MAX_VALUE);
      }
      list.add(new MailHeader(h.getName().trim(), ReceivedParser.unfold(value), received));
      if (h.getName().trim().equalsIgnoreCase("Received")) {
        received++;
      }
    }
    return new HeaderBlock(list, truncated);
  }

  /** Reads a header block (up to the first empty line) from bytes. */
  static HeaderBlock read(byte[] bytes) throws MessagingException {
    return read(new ByteArrayInputStream(bytes));
  }

  static HeaderBlock read(InputStream in) throws MessagingException {
    return of(new InternetHeaders(in).getAllHeaders());
  }

  static HeaderBlock empty() {
    return new HeaderBlock(List.of(), false);
  }

  List<MailHeader> fields() {
    return fields;
  }

  boolean truncated() {
    return truncated;
  }

  List<String> all(String name) {
    return fields.stream().filter(f -> f.is(name)).map(MailHeader::value).toList();
  }

  List<MailHeader> named(String name) {
    return fields.stream().filter(f -> f.is(name)).toList();
  }

  Optional<String> first(String name) {
    return fields.stream().filter(f -> f.is(name)).map(MailHeader::value).filter(v -> !v.isBlank()).findFirst();
  }
}
