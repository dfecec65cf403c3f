package io.labscan.agent.checks.harvest;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds address-like strings in arbitrary bytes in one streaming pass, the way a mass-mailer
 * harvests them: in 8-bit text (ASCII, Latin-1, UTF-8) and in UTF-16LE text at either byte
 * alignment (the Windows Address Book and "Unicode" text files store addresses so).
 *
 * <p>Bytes that can belong to an address are gathered into runs; a run that holds an
 * {@code @} is searched for {@code local@domain.tld} shapes. Memory is bounded by
 * {@value #MAX_RUN_CHARS} characters per run; longer runs are dropped. Internationalized
 * (non-ASCII) addresses are not recognised.
 */
final class AddressScanner {
  static final int MAX_RUN_CHARS = 512;
  private static final Pattern ADDRESS = Pattern.compile(
      "(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}"
          + "@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,10}[A-Za-z]{2,24}"
          + "(?![A-Za-z0-9-])");

  private final Consumer<String> addresses;
  private final Run narrow = new Run();
  private final Run[] wide = {new Run(), new Run()};
  /** Per alignment: the low byte of a UTF-16LE unit waiting for its high byte, or -1. */
  private final int[] pendingLow = {-1, -1};
  private long position;

  AddressScanner(Consumer<String> addresses) {
    this.addresses = requireNonNull(addresses, "addresses");
  }

  /** Finds the addresses in a string (a header value that did not parse as addresses). */
  static void scanText(String text, Consumer<String> addresses) {
    Matcher m = ADDRESS.matcher(text);
    while (m.find()) {
      addresses.accept(trimLocalPart(m.group()));
    }
  }

  void feed(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      accept(bytes[i] & 0xff);
    }
  }

  /** Ends the input: the runs still open are searched. */
  void finish() {
    narrow.flush();
    wide[0].flush();
    wide[1].flush();
  }

  private void accept(int b) {
    if (isAddressByte(b)) {
      narrow.append(b);
    } else {
      narrow.flush();
    }
    int parity = (int) (position & 1);
    int other = 1 - parity;
    // This byte is the high byte of the unit that started one byte earlier at the other
    // alignment, and the low byte of a unit at this alignment.
    if (pendingLow[other] >= 0) {
      if (b == 0 && isAddressByte(pendingLow[other])) {
        wide[other].append(pendingLow[other]);
      } else {
        wide[other].flush();
      }
      pendingLow[other] = -1;
    }
    pendingLow[parity] = b;
    position++;
  }

  private static boolean isAddressByte(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
        || b == '@' || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\'';
  }

  /** Leading dots or quotes are punctuation around the address, not part of it. */
  private static String trimLocalPart(String address) {
    int start = 0;
    while (start < address.length() && (address.charAt(start) == '.'
        || address.charAt(start) == '\'' || address.charAt(start) == '-')) {
      start++;
    }
    return address.substring(start);
  }

  /** One run of address bytes. */
  private final class Run {
    private final StringBuilder text = new StringBuilder();
    private boolean overlong;
    private boolean hasAt;

    void append(int b) {
      if (text.length() >= MAX_RUN_CHARS) {
        overlong = true;
        return;
      }
      text.append((char) b);
      hasAt |= b == '@';
    }

    void flush() {
      if (hasAt && !overlong) {
        scanText(text.toString(), addresses);
      }
      text.setLength(0);
      overlong = false;
      hasAt = false;
    }
  }
}
