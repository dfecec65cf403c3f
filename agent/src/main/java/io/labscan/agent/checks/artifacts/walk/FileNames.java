package io.labscan.agent.checks.artifacts.walk;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a file name's bytes (Linux names are bytes, anything but {@code /} and NUL) into the
 * text that rules match and findings show.
 *
 * <p>Valid UTF-8 is decoded as such. Each byte of an invalid sequence becomes the four
 * characters {@code \xNN} (lower-case hex), so a name in another encoding (a Latin-1
 * {@code café} from an old Samba share, say) is neither lost nor merged with another name:
 * the operator sees which bytes it holds. A real name may of course contain a backslash
 * followed by {@code x} and two hex digits; the two then read the same, which only matters to
 * a human reader (the walk opens files by their bytes, and the digest cache also compares
 * the file's identity).
 */
public final class FileNames {
  private FileNames() {}

  /** The display form of {@code length} bytes of {@code bytes} from {@code offset}. */
  public static String display(byte[] bytes, int offset, int length) {
    boolean ascii = true;
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, offset, length, StandardCharsets.ISO_8859_1); // the common case, and cheap
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    CharBuffer out = CharBuffer.allocate(length * 4);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isUnderflow()) {
        break;
      }
      if (result.isError()) {
        for (int i = 0; i < result.length(); i++) {
          out.put(String.format("\\x%02x", in.get() & 0xff));
        }
      } else {
        throw new IllegalStateException("display buffer too small"); // 4 chars per byte always fit
      }
    }
    decoder.flush(out);
    out.flip();
    return out.toString();
  }

  /** Whether {@code name} is {@code .} or {@code ..} (never walked into). */
  static boolean isDotOrDotDot(byte[] bytes, int offset, int length) {
    return (length == 1 && bytes[offset] == '.')
        || (length == 2 && bytes[offset] == '.' && bytes[offset + 1] == '.');
  }

  /** For tests: the display form of a whole array. */
  static String display(byte[] bytes) {
    return display(bytes, 0, bytes.length);
  }
}
