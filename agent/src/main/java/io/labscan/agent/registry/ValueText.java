package io.labscan.agent.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Registry value data as text, the way the live reader renders what the Windows API returns,
 * so that rules match the same text on a running and on a mounted system.
 */
final class ValueText {
  static final int REG_SZ = 1;
  static final int REG_EXPAND_SZ = 2;
  static final int REG_DWORD = 4;
  static final int REG_DWORD_BIG_ENDIAN = 5;
  static final int REG_MULTI_SZ = 7;
  static final int REG_QWORD = 11;
  /** As the live reader: longer text is cut. */
  static final int MAX_CHARS = 4096;

  private ValueText() {}

  static String render(int type, byte[] data) {
    String text = switch (type) {
      case REG_SZ, REG_EXPAND_SZ -> string(data);
      case REG_MULTI_SZ -> String.join(";", multi(data));
      case REG_DWORD -> data.length >= 4
          ? String.valueOf(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt()) : hex(data);
      case REG_DWORD_BIG_ENDIAN -> data.length >= 4
          ? String.valueOf(ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getInt()) : hex(data);
      case REG_QWORD -> data.length >= 8
          ? String.valueOf(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong()) : hex(data);
      default -> hex(data);
    };
    return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
  }

  /** The value by type: strings, numbers and binary data as such; other types as their text. */
  static RegistryValue typed(int type, byte[] data) {
    return switch (type) {
      case REG_SZ, REG_EXPAND_SZ -> new RegistryValue.Text(render(type, data));
      case REG_MULTI_SZ -> new RegistryValue.MultiText(multi(data));
      case REG_DWORD -> data.length >= 4
          ? RegistryValue.DWord.of(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt())
          : new RegistryValue.Binary(data);
      case REG_DWORD_BIG_ENDIAN -> data.length >= 4
          ? RegistryValue.DWord.of(ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getInt())
          : new RegistryValue.Binary(data);
      case REG_QWORD -> data.length >= 8
          ? new RegistryValue.QWord(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong())
          : new RegistryValue.Binary(data);
      default -> new RegistryValue.Binary(data);
    };
  }

  /** UTF-16LE up to the first NUL, as the API's string getters return it. */
  private static String string(byte[] data) {
    String all = new String(data, 0, data.length & ~1, StandardCharsets.UTF_16LE);
    int nul = all.indexOf('\0');
    return nul < 0 ? all : all.substring(0, nul);
  }

  private static List<String> multi(byte[] data) {
    String all = new String(data, 0, data.length & ~1, StandardCharsets.UTF_16LE);
    List<String> out = new ArrayList<>();
    for (String part : all.split("\0", -1)) {
      if (part.isEmpty()) {
        break; // the empty string that ends the list
      }
      out.add(part);
    }
    return out;
  }

  private static String hex(byte[] data) {
    return HexFormat.of().formatHex(data, 0, Math.min(data.length, MAX_CHARS / 2));
  }
}
