package io.labscan.agent.registry;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Windows NT registry hive file ("regf": SYSTEM, SOFTWARE, NTUSER.DAT, ...) read in place,
 * for scanning a Windows disk that is not running. Read-only and hostile-input safe: every
 * offset is checked against the hive's bounds before use, lists are bounded by their cells,
 * and a malformed structure is a {@link HiveFormatException} naming the offset, never an
 * unchecked exception or a loop.
 *
 * <p>Layout (see "Windows registry file format specification", M. Suhanov): a 4 KiB base block,
 * then hive bins whose cells hold key nodes ({@code nk}), value keys ({@code vk}), subkey lists
 * ({@code li}, {@code lf}, {@code lh}, and {@code ri} of those), value lists and data, with big
 * data ({@code db}) split into segments. Cell offsets count from the end of the base block.
 * Transaction logs ({@code .LOG1}/{@code .LOG2}) are not applied: {@link #dirty()} says when
 * the hive was not written back cleanly and may lack its latest changes.
 */
public final class RegfHive {
  /** Larger files are refused (the biggest real hives, SOFTWARE and COMPONENTS, stay far below). */
  public static final long MAX_FILE_BYTES = 1L << 30;
  /** Subkey or value entries read for one key, beyond which the hive is called malformed. */
  static final int MAX_ENTRIES = 200_000;
  /**
   * Characters of names held for one key's subkeys or values. A crafted list can name one
   * 32,767-character key 65,535 times; real keys hold far less than this.
   */
  static final long MAX_NAME_CHARS = 4L << 20;
  /** Value data read; enough for any command line, the rest is not rendered anyway. */
  static final int MAX_DATA_BYTES = 64 * 1024;
  private static final int BASE_BLOCK = 4096;
  private static final int NONE = 0xFFFFFFFF;
  private static final int KEY_COMP_NAME = 0x0020;
  private static final int VALUE_COMP_NAME = 0x0001;
  private static final int BIG_DATA_SEGMENT = 16344;

  private final ByteBuffer file;
  private final int binsEnd;
  private final int rootCell;
  private final int minorVersion;
  private final boolean dirty;
  private final int secondarySequence;

  private RegfHive(ByteBuffer file, int binsEnd, int rootCell, int minorVersion, boolean dirty,
      int secondarySequence) {
    this.file = file;
    this.binsEnd = binsEnd;
    this.rootCell = rootCell;
    this.minorVersion = minorVersion;
    this.dirty = dirty;
    this.secondarySequence = secondarySequence;
  }

  /** Opens a hive file (never through a symbolic link). */
  public static RegfHive open(Path path) throws IOException, HiveFormatException {
    requireNonNull(path, "path");
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > MAX_FILE_BYTES) {
        throw new HiveFormatException(path.getFileName() + ": " + size + " bytes, larger than a hive can be");
      }
      // A read-only mapping: a 100 MiB SOFTWARE hive costs page cache, not heap.
      return of(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
    }
  }

  /** A hive held in memory (tests, small hives). */
  public static RegfHive of(ByteBuffer bytes) throws HiveFormatException {
    ByteBuffer file = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    file.position(0);
    if (file.limit() < BASE_BLOCK + 32) {
      throw new HiveFormatException("shorter than a base block and one hive bin");
    }
    if (file.getInt(0) != 0x66676572) { // "regf"
      throw new HiveFormatException(file.getInt(0) == 0x47455243 // "CREG"
          ? "a Windows 95/98/ME registry file (CREG), not an NT hive" : "no 'regf' signature");
    }
    int major = file.getInt(20);
    int minor = file.getInt(24);
    if (major != 1 || minor < 1 || minor > 6) {
      throw new HiveFormatException("unsupported hive version " + major + "." + minor);
    }
    long binsSize = Integer.toUnsignedLong(file.getInt(40));
    long binsEnd = BASE_BLOCK + binsSize;
    if (binsSize < 4096 || binsEnd > file.limit()) {
      // A hive cut short (copied while in use, truncated download) is still read up to its end.
      binsEnd = file.limit();
    }
    boolean dirty = file.getInt(4) != file.getInt(8);
    return new RegfHive(file, (int) binsEnd, file.getInt(36), minor, dirty, file.getInt(8));
  }

  /** Whether the hive's sequence numbers differ: changes may still sit in its transaction logs. */
  public boolean dirty() {
    return dirty;
  }

  /** The base block's secondary sequence number: where the transaction logs' entries start. */
  int secondarySequence() {
    return secondarySequence;
  }

  /** The root key. */
  public Key root() throws HiveFormatException {
    return key(rootCell);
  }

  /** The key at a backslash-separated path below {@code from} (names compared ignoring case). */
  public Optional<Key> find(Key from, String path) throws HiveFormatException {
    requireNonNull(from, "from");
    requireNonNull(path, "path");
    Key at = from;
    if (path.isEmpty()) {
      return Optional.of(at);
    }
    for (String name : path.split("\\\\", -1)) {
      Optional<Key> next = child(at, name);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      at = next.get();
    }
    return Optional.of(at);
  }

  /** A subkey by name, ignoring case as Windows does. */
  public Optional<Key> child(Key parent, String name) throws HiveFormatException {
    requireNonNull(name, "name");
    Key exact = null;
    for (Key k : subkeys(parent)) {
      if (k.name().equalsIgnoreCase(name)) {
        if (k.name().equals(name)) {
          return Optional.of(k);
        }
        exact = exact == null ? k : exact;
      }
    }
    return Optional.ofNullable(exact);
  }

  /** The subkeys of a key, in the hive's order. */
  public List<Key> subkeys(Key parent) throws HiveFormatException {
    requireNonNull(parent, "parent");
    List<Key> out = new ArrayList<>();
    if (parent.subkeyCount() == 0 || parent.subkeyList() == NONE) {
      return out;
    }
    collectSubkeys(parent.subkeyList(), out, new long[1], true);
    return out;
  }

  /** @param nameChars name characters held so far (one counter for the whole list, index roots included) */
  private void collectSubkeys(int listCell, List<Key> out, long[] nameChars, boolean indexRootAllowed)
      throws HiveFormatException {
    Cell list = cell(listCell);
    list.need(4);
    int signature = list.u16(0);
    int count = list.u16(2);
    switch (signature) {
      case 0x696c -> { // "li": offsets
        list.need(4 + 4 * count);
        for (int i = 0; i < count; i++) {
          add(out, key(list.i32(4 + 4 * i)), nameChars);
        }
      }
      case 0x666c, 0x686c -> { // "lf", "lh": offset + name hint or hash
        list.need(4 + 8 * count);
        for (int i = 0; i < count; i++) {
          add(out, key(list.i32(4 + 8 * i)), nameChars);
        }
      }
      case 0x6972 -> { // "ri": offsets of li/lf/lh lists, never of another ri
        if (!indexRootAllowed) {
          throw new HiveFormatException("index root inside an index root at cell " + hex(listCell));
        }
        list.need(4 + 4 * count);
        for (int i = 0; i < count; i++) {
          collectSubkeys(list.i32(4 + 4 * i), out, nameChars, false);
        }
      }
      default -> throw new HiveFormatException("unknown subkey list '" + signatureText(signature) + "' at cell "
          + hex(listCell));
    }
  }

  private static void add(List<Key> out, Key key, long[] nameChars) throws HiveFormatException {
    if (out.size() >= MAX_ENTRIES) {
      throw new HiveFormatException("more than " + MAX_ENTRIES + " subkeys");
    }
    nameChars[0] += key.name().length();
    if (nameChars[0] > MAX_NAME_CHARS) {
      throw new HiveFormatException("subkey names longer than " + MAX_NAME_CHARS + " characters in all");
    }
    out.add(key);
  }

  /**
   * The values of a key with their data as text, as the live registry reader renders them:
   * strings as stored (up to the first NUL), multi-strings joined with ';', DWORD and QWORD in
   * decimal, anything else as hex. The default value has the empty name.
   */
  public Map<String, String> values(Key key) throws HiveFormatException {
    Map<String, String> out = new LinkedHashMap<>();
    forEachValue(key, (name, type, data) -> {
      String text = ValueText.render(type, data);
      out.put(name, text);
      return name.length() + text.length();
    });
    return out;
  }

  /**
   * The values of a key by type, as the AV providers read them (numbers as numbers, binary data
   * as bytes); other types as their text rendering. Same bounds as {@link #values}.
   */
  public Map<String, RegistryValue> typedValues(Key key) throws HiveFormatException {
    Map<String, RegistryValue> out = new LinkedHashMap<>();
    forEachValue(key, (name, type, data) -> {
      RegistryValue value = ValueText.typed(type, data);
      out.put(name, value);
      return name.length() + (value instanceof RegistryValue.Binary b ? b.value().length : ValueText.render(type, data).length());
    });
    return out;
  }

  @FunctionalInterface
  private interface ValueVisitor {
    /** Takes one value; returns the characters it holds, for the bound on a key's values. */
    long visit(String name, int type, byte[] data);
  }

  private void forEachValue(Key key, ValueVisitor visitor) throws HiveFormatException {
    requireNonNull(key, "key");
    if (key.valueCount() == 0 || key.valueList() == NONE) {
      return;
    }
    if (key.valueCount() > MAX_ENTRIES) {
      throw new HiveFormatException("more than " + MAX_ENTRIES + " values in key " + key.name());
    }
    Cell list = cell(key.valueList());
    list.need(4L * key.valueCount());
    long nameChars = 0;
    for (int i = 0; i < key.valueCount(); i++) {
      Cell vk = cell(list.i32(4 * i));
      vk.need(20);
      if (vk.u16(0) != 0x6b76) { // "vk"
        throw new HiveFormatException("value list entry " + i + " of key " + key.name() + " is not a value (cell "
            + hex(list.i32(4 * i)) + ")");
      }
      int nameLength = vk.u16(2);
      vk.need(20 + nameLength);
      String name = (vk.u16(16) & VALUE_COMP_NAME) != 0 ? vk.latin1(20, nameLength) : vk.utf16(20, nameLength);
      nameChars += visitor.visit(name, vk.i32(12), data(vk));
      if (nameChars > MAX_NAME_CHARS * 4) {
        throw new HiveFormatException("values of key " + key.name() + " hold more than " + MAX_NAME_CHARS * 4
            + " characters in all");
      }
    }
  }

  /** A value's data, at most {@link #MAX_DATA_BYTES}. */
  private byte[] data(Cell vk) throws HiveFormatException {
    int rawSize = vk.i32(4);
    if ((rawSize & 0x80000000) != 0) { // small data kept in the offset field itself
      int size = Math.min(rawSize & 0x7fffffff, 4);
      return vk.bytes(8, size);
    }
    int size = rawSize;
    int offset = vk.i32(8);
    if (size == 0) {
      return new byte[0];
    }
    if (size > BIG_DATA_SEGMENT && minorVersion > 3) {
      return bigData(offset, Math.min(size, MAX_DATA_BYTES));
    }
    Cell data = cell(offset);
    int wanted = Math.min(size, MAX_DATA_BYTES);
    data.need(wanted);
    return data.bytes(0, wanted);
  }

  private byte[] bigData(int dbCell, int wanted) throws HiveFormatException {
    Cell db = cell(dbCell);
    db.need(8);
    if (db.u16(0) != 0x6264) { // "db"
      throw new HiveFormatException("big data at cell " + hex(dbCell) + " has no 'db' signature");
    }
    int segments = db.u16(2);
    Cell list = cell(db.i32(4));
    list.need(4L * segments);
    byte[] out = new byte[wanted];
    int filled = 0;
    for (int i = 0; i < segments && filled < wanted; i++) {
      Cell segment = cell(list.i32(4 * i));
      int n = Math.min(Math.min(BIG_DATA_SEGMENT, segment.length()), wanted - filled);
      System.arraycopy(segment.bytes(0, n), 0, out, filled, n);
      filled += n;
    }
    return filled == wanted ? out : Arrays.copyOf(out, filled);
  }

  private Key key(int cellOffset) throws HiveFormatException {
    Cell nk = cell(cellOffset);
    nk.need(76);
    if (nk.u16(0) != 0x6b6e) { // "nk"
      throw new HiveFormatException("cell " + hex(cellOffset) + " is not a key node");
    }
    int nameLength = nk.u16(72);
    nk.need(76 + nameLength);
    String name = (nk.u16(2) & KEY_COMP_NAME) != 0 ? nk.latin1(76, nameLength) : nk.utf16(76, nameLength);
    return new Key(cellOffset, name, nk.i32(20), nk.i32(28), nk.i32(36), nk.i32(40));
  }

  private Cell cell(int offset) throws HiveFormatException {
    long start = BASE_BLOCK + Integer.toUnsignedLong(offset);
    if (offset == NONE || start + 4 > binsEnd) {
      throw new HiveFormatException("cell offset " + hex(offset) + " is outside the hive");
    }
    int size = file.getInt((int) start);
    if (size >= 0) {
      throw new HiveFormatException("cell " + hex(offset) + " is not in use");
    }
    long length = -(long) size;
    if (length < 8 || start + length > binsEnd) {
      throw new HiveFormatException("cell " + hex(offset) + " has a bad size (" + length + ")");
    }
    return new Cell(offset, (int) start + 4, (int) length - 4);
  }

  private static String hex(int offset) {
    return "0x" + Integer.toHexString(offset);
  }

  private static String signatureText(int signature) {
    return new String(new byte[] {(byte) signature, (byte) (signature >>> 8)}, StandardCharsets.ISO_8859_1)
        .replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** A key node: its name and where its lists are. */
  public record Key(int cell, String name, int subkeyCount, int subkeyList, int valueCount, int valueList) {}

  /** The data of one cell, every read checked against its length. */
  private final class Cell {
    private final int offset;
    private final int start;
    private final int length;

    Cell(int offset, int start, int length) {
      this.offset = offset;
      this.start = start;
      this.length = length;
    }

    int length() {
      return length;
    }

    void need(long bytes) throws HiveFormatException {
      if (bytes < 0 || bytes > length) {
        throw new HiveFormatException("cell " + hex(offset) + " is too small (" + length + " bytes, needs "
            + bytes + ")");
      }
    }

    int u16(int at) {
      return Short.toUnsignedInt(file.getShort(start + at));
    }

    int i32(int at) {
      return file.getInt(start + at);
    }

    byte[] bytes(int at, int n) {
      byte[] out = new byte[n];
      file.get(start + at, out);
      return out;
    }

    String latin1(int at, int n) {
      return new String(bytes(at, n), StandardCharsets.ISO_8859_1);
    }

    String utf16(int at, int n) {
      return new String(bytes(at, n & ~1), StandardCharsets.UTF_16LE);
    }
  }
}
