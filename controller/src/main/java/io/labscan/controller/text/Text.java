package io.labscan.controller.text;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The one place where text reaches the operator's terminal (every CLI printer's table and plain
 * output goes through {@link #terminalSafe}) or a spreadsheet ({@link #csvCell}).
 *
 * <p>Much of what the controller prints was written by an endpoint — hostnames, addresses, OS
 * strings, reasons quoting findings — and a worm chooses those. A terminal obeys escape
 * sequences: {@code ESC ] 0 ; title BEL} renames the window, {@code ESC [ 2 J} clears the screen
 * (hiding the lines above), CR overwrites a line, a bidirectional override (U+202E) makes
 * {@code lab-pc-12} read as another name. So every character that is not printable text is shown
 * as an escape the operator can read instead of being obeyed: C0 and C1 controls, DEL and ESC
 * as {@code \xHH}; Unicode format characters (bidi embeddings, overrides and isolates, marks,
 * zero-width characters, the BOM), line and paragraph separators and unpaired surrogates as
 * {@code \}{@code uHHHH}. A backslash stays a backslash: an endpoint that writes the letters
 * {@code \x1B} only gets those letters printed. JSON output needs none of this: Jackson escapes
 * every control character as {@code \}{@code uHHHH} and bidi characters cannot break out of a
 * JSON string.
 */
public final class Text {
  private Text() {}

  /** Every unsafe character of {@code s} escaped (no length limit); {@code null} prints as "". */
  public static String terminal(@Nullable String s) {
    return terminalSafe(s, Integer.MAX_VALUE);
  }

  /**
   * Every unsafe character escaped (see the class comment), shortened to at most {@code max}
   * characters (ending in "..." when cut). {@code null} prints as an empty string.
   */
  public static String terminalSafe(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 4096) + 8);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      appendSafe(sb, cp);
      if (sb.length() > max) {
        break;
      }
    }
    return sb.length() > max ? sb.substring(0, Math.max(0, max - 3)) + "..." : sb.toString();
  }

  /** Whether the terminal would act on {@code cp} rather than print it (or print it misleadingly). */
  public static boolean unsafe(int cp) {
    if (Character.isISOControl(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE;
  }

  private static void appendSafe(StringBuilder sb, int cp) {
    if (!unsafe(cp)) {
      sb.appendCodePoint(cp);
    } else if (cp <= 0xff) {
      sb.append("\\x").append(String.format(Locale.ROOT, "%02X", cp));
    } else {
      sb.append("\\u").append(String.format(Locale.ROOT, "%04X", cp));
    }
  }

  /**
   * The mapper for every CLI printer's JSON output (indented). Jackson already escapes C0
   * controls (ESC, CR, LF, BEL) as {@code \}{@code uXXXX}, but writes every other character raw —
   * C1 controls (U+009B is a one-character CSI to many terminals) and bidi overrides included —
   * so {@code host --format json} piped to a terminal would still obey them. These escapes write
   * exactly the characters {@link #terminalSafe} escapes as {@code \}{@code uXXXX} too: the JSON
   * means the same, a parser gets the original text back, and a terminal shows it inert.
   */
  public static ObjectMapper jsonMapper() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    mapper.getFactory().setCharacterEscapes(JsonEscapes.INSTANCE);
    return mapper;
  }

  private static final class JsonEscapes extends CharacterEscapes {
    static final JsonEscapes INSTANCE = new JsonEscapes();
    private static final long serialVersionUID = 1L;
    private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

    private JsonEscapes() {
      ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii.clone();
    }

    @Override
    public @Nullable SerializableString getEscapeSequence(int ch) {
      return unsafe(ch) ? new SerializedString(String.format(Locale.ROOT, "\\u%04X", ch)) : null;
    }
  }

  /**
   * One RFC 4180 cell. Unsafe characters are escaped as for the terminal ({@link #terminal}:
   * controls, ESC, bidi overrides), since CSV is read with {@code cat} and {@code less} as often
   * as in a spreadsheet, for the CLI and the web export alike. Cells starting with = + - @ (or
   * tab/CR) get a leading apostrophe so a spreadsheet does not evaluate a formula a worm
   * planted in a hostname.
   */
  public static String csvCell(String s) {
    String v = terminal(s);
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
