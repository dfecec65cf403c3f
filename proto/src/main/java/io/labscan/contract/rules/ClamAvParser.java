package io.labscan.contract.rules;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses single lines of ClamAV databases. Total by construction: every input gives a
 * signature, a {@link RuleParseException} (malformed: the whole database is refused, as
 * ClamAV refuses it) or an {@link Unsupported} (valid ClamAV syntax this engine does not
 * implement: the caller skips the line with a warning).
 *
 * <p>Supported {@code .ndb} subset: target types 0 (any), 1 (PE, approximated by the MZ
 * header) and 6 (ELF); offsets {@code *}, {@code n}, {@code n,m}, {@code EOF-n},
 * {@code EOF-n,m}; hex bytes, {@code ??}, nibble wildcards {@code a?} / {@code ?a},
 * {@code *}, {@code {n}}, {@code {n-m}}, {@code {-n}}, {@code {n-}}.
 */
public final class ClamAvParser {
  /** Signature names become rule ids and are printed: printable ASCII only. */
  static final int MAX_NAME_LENGTH = 256;
  private static final long MAX_NUMBER = Integer.MAX_VALUE;

  private ClamAvParser() {}

  /** Valid ClamAV syntax that this engine does not implement; the line is skipped. */
  public static final class Unsupported extends Exception {
    Unsupported(String reason) {
      super(reason);
    }
  }

  /** One line of a .hdb ({@code md5:size:name}) or .hsb ({@code sha:size:name[:73]}). */
  static HashSignature hashLine(boolean hsb, String origin, int line, String text)
      throws RuleParseException {
    String[] f = text.split(":", -1);
    String format = hsb ? "SHA1-or-SHA256:size:name" : "MD5:size:name";
    if (f.length < 3 || f.length > 5) {
      throw new RuleParseException(origin, line, "expected " + format
          + "[:min_flevel[:max_flevel]], found " + f.length + " field(s)");
    }
    String hex = f[0].toLowerCase(Locale.ROOT);
    HashAlgorithm algorithm;
    if (!hsb && hex.length() == 32) {
      algorithm = HashAlgorithm.MD5;
    } else if (hsb && hex.length() == 40) {
      algorithm = HashAlgorithm.SHA1;
    } else if (hsb && hex.length() == 64) {
      algorithm = HashAlgorithm.SHA256;
    } else {
      throw new RuleParseException(origin, line, hsb
          ? "the hash must be 40 (SHA-1) or 64 (SHA-256) hex digits, found " + hex.length() + " characters"
          : "the hash must be 32 hex digits (MD5), found " + hex.length() + " characters");
    }
    if (!isHex(hex)) {
      throw new RuleParseException(origin, line, "the hash has a character that is not a hex digit");
    }
    long size;
    if (f[1].equals("*")) {
      size = HashSignature.ANY_SIZE;
    } else {
      size = number(f[1], origin, line, "file size");
    }
    String name = name(f[2], origin, line);
    levels(f, 3, origin, line);
    return new HashSignature(algorithm, hex, size, name, origin);
  }

  /** One line of an .ndb: {@code Name:TargetType:Offset:HexSig[:min_flevel[:max_flevel]]}. */
  public static BodySignature ndbLine(String origin, int line, String text)
      throws RuleParseException, Unsupported {
    String[] f = text.split(":", -1);
    if (f.length < 4 || f.length > 6) {
      throw new RuleParseException(origin, line, "expected Name:TargetType:Offset:HexSignature"
          + "[:min_flevel[:max_flevel]], found " + f.length + " field(s)");
    }
    String name = name(f[0], origin, line);
    levels(f, 4, origin, line);
    long type = number(f[1], origin, line, "target type");
    BodySignature.Target target = switch ((int) Math.min(type, 99)) {
      case 0 -> BodySignature.Target.ANY;
      case 1 -> BodySignature.Target.PE;
      case 6 -> BodySignature.Target.ELF;
      default -> {
        if (type > 14) {
          throw new RuleParseException(origin, line, "target type " + type + " does not exist (0-14)");
        }
        throw new Unsupported("target type " + type + " needs file-type parsing this engine does not do");
      }
    };
    BodySignature.Offset offset = offset(f[2], origin, line);
    Pattern pattern = pattern(f[3], origin, line);
    BodySignature sig = new BodySignature(name, origin, text, target, offset,
        pattern.segments, pattern.gapMin(), pattern.gapMax());
    if (offset.kind() == BodySignature.Offset.Kind.ANY && sig.anchorLength() < 2) {
      throw new Unsupported("a signature allowed anywhere needs two consecutive fixed bytes to search for");
    }
    return sig;
  }

  private static BodySignature.Offset offset(String text, String origin, int line)
      throws RuleParseException, Unsupported {
    if (text.equals("*")) {
      return BodySignature.Offset.ANYWHERE;
    }
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.startsWith("EP") || upper.startsWith("SL") || upper.startsWith("SE")
        || upper.startsWith("VI") || (upper.startsWith("S") && upper.length() > 1
        && Character.isDigit(upper.charAt(1)))) {
      throw new Unsupported("offset " + printable(text) + " needs executable parsing this engine does not do");
    }
    BodySignature.Offset.Kind kind = BodySignature.Offset.Kind.ABSOLUTE;
    String rest = text;
    if (upper.startsWith("EOF-")) {
      kind = BodySignature.Offset.Kind.FROM_END;
      rest = text.substring(4);
    }
    String[] parts = rest.split(",", -1);
    if (parts.length > 2) {
      throw new RuleParseException(origin, line, "offset '" + printable(text) + "' is not *, n, n,m, EOF-n or EOF-n,m");
    }
    long n = number(parts[0], origin, line, "offset");
    long shift = parts.length == 2 ? number(parts[1], origin, line, "offset shift") : 0;
    return new BodySignature.Offset(kind, n, shift);
  }

  private record Pattern(List<BodySignature.Segment> segments, List<long[]> gaps) {
    long[] gapMin() {
      return gaps.stream().mapToLong(g -> g[0]).toArray();
    }

    long[] gapMax() {
      return gaps.stream().mapToLong(g -> g[1]).toArray();
    }
  }

  private static Pattern pattern(String hex, String origin, int line)
      throws RuleParseException, Unsupported {
    if (hex.isEmpty()) {
      throw new RuleParseException(origin, line, "the hex signature is empty");
    }
    List<BodySignature.Segment> segments = new ArrayList<>();
    List<long[]> gaps = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteArrayOutputStream masks = new ByteArrayOutputStream();
    long[] pendingGap = null;
    int i = 0;
    while (i < hex.length()) {
      char c = hex.charAt(i);
      long[] gap = null;
      if (c == '*') {
        gap = new long[] {0, BodySignature.UNBOUNDED};
        i++;
      } else if (c == '{') {
        int close = hex.indexOf('}', i);
        if (close < 0) {
          throw new RuleParseException(origin, line, "'{' at position " + (i + 1) + " is never closed");
        }
        gap = gap(hex.substring(i + 1, close), origin, line, i + 1);
        i = close + 1;
      } else if (c == '(' || c == '!' || c == '[' || c == '|') {
        throw new Unsupported("'" + c + "' at position " + (i + 1)
            + ": alternatives, negations and byte ranges are not supported");
      } else {
        if (i + 1 >= hex.length()) {
          throw new RuleParseException(origin, line, "the hex signature has an odd number of digits");
        }
        char hi = c;
        char lo = hex.charAt(i + 1);
        if (!(hexDigit(hi) >= 0 || hi == '?') || !(hexDigit(lo) >= 0 || lo == '?')) {
          throw new RuleParseException(origin, line, "unexpected '" + printable(hexDigit(hi) >= 0 || hi == '?' ? lo : hi)
              + "' near position " + (i + 1) + " of the hex signature");
        }
        int value = (hi == '?' ? 0 : hexDigit(hi) << 4) | (lo == '?' ? 0 : hexDigit(lo));
        int mask = (hi == '?' ? 0 : 0xF0) | (lo == '?' ? 0 : 0x0F);
        if (pendingGap != null) {
          segments.add(new BodySignature.Segment(bytes.toByteArray(), masks.toByteArray()));
          gaps.add(pendingGap);
          bytes.reset();
          masks.reset();
          pendingGap = null;
        }
        bytes.write(value);
        masks.write(mask);
        i += 2;
        continue;
      }
      if (bytes.size() == 0 && segments.isEmpty()) {
        throw new RuleParseException(origin, line, "the hex signature must not start with a gap");
      }
      // Adjacent gaps ("*{2}") add up.
      pendingGap = pendingGap == null ? gap : new long[] {
          Math.min(MAX_NUMBER, pendingGap[0] + gap[0]),
          pendingGap[1] == BodySignature.UNBOUNDED || gap[1] == BodySignature.UNBOUNDED
              ? BodySignature.UNBOUNDED : pendingGap[1] + gap[1]};
    }
    if (pendingGap != null) {
      throw new RuleParseException(origin, line, "the hex signature must not end with a gap");
    }
    segments.add(new BodySignature.Segment(bytes.toByteArray(), masks.toByteArray()));
    return new Pattern(segments, gaps);
  }

  private static long[] gap(String body, String origin, int line, int position)
      throws RuleParseException {
    int dash = body.indexOf('-');
    String where = "gap {" + printable(body) + "} at position " + position;
    if (dash < 0) {
      long n = number(body, origin, line, where);
      return new long[] {n, n};
    }
    String lo = body.substring(0, dash);
    String hi = body.substring(dash + 1);
    if (lo.isEmpty() && hi.isEmpty()) {
      throw new RuleParseException(origin, line, where + " needs {n}, {n-m}, {-n} or {n-}");
    }
    long min = lo.isEmpty() ? 0 : number(lo, origin, line, where);
    long max = hi.isEmpty() ? BodySignature.UNBOUNDED : number(hi, origin, line, where);
    if (min > max) {
      throw new RuleParseException(origin, line, where + " has its minimum above its maximum");
    }
    return new long[] {min, max};
  }

  private static String name(String text, String origin, int line) throws RuleParseException {
    if (text.isEmpty()) {
      throw new RuleParseException(origin, line, "the signature name is empty");
    }
    if (text.length() > MAX_NAME_LENGTH) {
      throw new RuleParseException(origin, line, "the signature name is longer than " + MAX_NAME_LENGTH);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new RuleParseException(origin, line,
            "the signature name has a space, control or non-ASCII character at position " + (i + 1));
      }
    }
    return text;
  }

  private static void levels(String[] f, int from, String origin, int line) throws RuleParseException {
    long min = -1;
    for (int i = from; i < f.length; i++) {
      String what = i == from ? "minimum functionality level" : "maximum functionality level";
      if (f[i].isEmpty() && i == from && f.length == from + 2) {
        continue; // "::max" leaves the minimum open, as ClamAV allows
      }
      long level = number(f[i], origin, line, what);
      if (i == from) {
        min = level;
      } else if (min >= 0 && level < min) {
        throw new RuleParseException(origin, line, "the maximum functionality level is below the minimum");
      }
    }
  }

  private static long number(String text, String origin, int line, String what) throws RuleParseException {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new RuleParseException(origin, line, what + " '" + printable(text) + "' is not a non-negative number");
    }
    long value = Long.parseLong(text);
    if (value > MAX_NUMBER) {
      throw new RuleParseException(origin, line, what + " " + value + " is too large");
    }
    return value;
  }

  private static boolean isHex(String s) {
    return s.chars().allMatch(c -> hexDigit((char) c) >= 0);
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String printable(char c) {
    return printable(String.valueOf(c));
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return Printable.of(cut);
  }
}
