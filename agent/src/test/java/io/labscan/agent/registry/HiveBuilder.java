package io.labscan.agent.registry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small but well-formed registry hive files for tests, the way Windows lays them out: a
 * base block with its checksum, hive bins of 4 KiB multiples, allocated cells with negative
 * sizes, the rest of the last bin as a free cell. Keys take their subkeys in an {@code lh}
 * list unless told otherwise ({@code li}, {@code lf}, or {@code ri} over several lists).
 */
final class HiveBuilder {
  static final int REG_SZ = 1;
  static final int REG_EXPAND_SZ = 2;
  static final int REG_BINARY = 3;
  static final int REG_DWORD = 4;
  static final int REG_MULTI_SZ = 7;
  static final int REG_QWORD = 11;

  /** A key to write. */
  static final class Key {
    final String name;
    final List<Key> children = new ArrayList<>();
    final List<Value> values = new ArrayList<>();
    String listKind = "lh";
    boolean asciiName = true;
    int cell;

    Key(String name) {
      this.name = name;
    }

    /** The child {@code name}, created when missing. */
    Key key(String path) {
      Key at = this;
      for (String part : path.split("\\\\")) {
        Key found = null;
        for (Key c : at.children) {
          if (c.name.equals(part)) {
            found = c;
          }
        }
        if (found == null) {
          found = new Key(part);
          at.children.add(found);
        }
        at = found;
      }
      return at;
    }

    Key string(String name, String text) {
      values.add(new Value(name, REG_SZ, utf16z(text), true));
      return this;
    }

    Key expand(String name, String text) {
      values.add(new Value(name, REG_EXPAND_SZ, utf16z(text), true));
      return this;
    }

    Key dword(String name, int v) {
      values.add(new Value(name, REG_DWORD, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array(),
          true));
      return this;
    }

    Key value(String name, int type, byte[] data) {
      values.add(new Value(name, type, data, true));
      return this;
    }
  }

  record Value(String name, int type, byte[] data, boolean asciiName) {}

  static byte[] utf16z(String text) {
    return (text + "\0").getBytes(StandardCharsets.UTF_16LE);
  }

  private final ByteBuffer bins = ByteBuffer.allocate(16 << 20).order(ByteOrder.LITTLE_ENDIAN);
  private int minor = 5;
  private boolean dirty;
  /** The one security key every key shares, as in a hive where all keys have the same ACL. */
  private int security;
  private int keys;

  HiveBuilder minorVersion(int v) {
    this.minor = v;
    return this;
  }

  HiveBuilder dirty() {
    this.dirty = true;
    return this;
  }

  /** The base block's secondary sequence number this builder writes (the primary is one more when dirty). */
  static final int SECONDARY_SEQUENCE = 6;

  /** The hive with {@code root} as its root key. */
  byte[] build(Key root) {
    bins.clear();
    bins.position(32); // the hbin header, written at the end
    keys = 0;
    security = securityKey();
    write(root, -1, true);
    bins.putInt(security + 4 + 12, keys); // reference count
    int used = bins.position();
    int size = Math.max(4096, (used + 8 + 4095) / 4096 * 4096);
    int free = size - used;
    bins.putInt(used, free); // the rest of the bin: one free cell
    bins.put(0, "hbin".getBytes(StandardCharsets.US_ASCII));
    bins.putInt(4, 0);
    bins.putInt(8, size);
    ByteBuffer file = ByteBuffer.allocate(4096 + size).order(ByteOrder.LITTLE_ENDIAN);
    file.put(0, "regf".getBytes(StandardCharsets.US_ASCII));
    file.putInt(4, dirty ? SECONDARY_SEQUENCE + 1 : SECONDARY_SEQUENCE);
    file.putInt(8, SECONDARY_SEQUENCE);
    file.putInt(20, 1);
    file.putInt(24, minor);
    file.putInt(28, 0);
    file.putInt(32, 1);
    file.putInt(36, root.cell);
    file.putInt(40, size);
    file.putInt(44, 1);
    int checksum = 0;
    for (int i = 0; i < 508; i += 4) {
      checksum ^= file.getInt(i);
    }
    file.putInt(508, checksum);
    byte[] out = file.array();
    System.arraycopy(bins.array(), 0, out, 4096, size);
    return out;
  }

  Path write(Key root, Path file) throws java.io.IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, build(root));
    return file;
  }

  private void write(Key key, int parent, boolean isRoot) {
    byte[] name = key.asciiName ? key.name.getBytes(StandardCharsets.ISO_8859_1)
        : key.name.getBytes(StandardCharsets.UTF_16LE);
    int nk = allocate(76 + name.length);
    key.cell = nk;
    keys++;
    for (Key child : key.children) {
      write(child, nk, false);
    }
    int subkeyList = key.children.isEmpty() ? -1 : subkeyList(key);
    int valueList = key.values.isEmpty() ? -1 : valueList(key.values);
    int at = nk + 4; // the cell's data, after its size
    bins.put(at, "nk".getBytes(StandardCharsets.US_ASCII));
    bins.putShort(at + 2, (short) ((key.asciiName ? 0x20 : 0) | (isRoot ? 0x0c : 0)));
    bins.putInt(at + 16, isRoot ? 0 : parent);
    bins.putInt(at + 20, key.children.size());
    bins.putInt(at + 28, subkeyList);
    bins.putInt(at + 32, -1);
    bins.putInt(at + 36, key.values.size());
    bins.putInt(at + 40, valueList);
    bins.putInt(at + 44, security);
    bins.putInt(at + 48, -1);
    bins.putShort(at + 72, (short) name.length);
    bins.put(at + 76, name);
  }

  /** An sk cell with a minimal self-relative security descriptor (no owner, group or ACLs). */
  private int securityKey() {
    byte[] descriptor = {1, 0, 0x04, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    int sk = allocate(20 + descriptor.length);
    int at = sk + 4;
    bins.put(at, "sk".getBytes(StandardCharsets.US_ASCII));
    bins.putInt(at + 4, sk); // the list of security keys: just this one
    bins.putInt(at + 8, sk);
    bins.putInt(at + 16, descriptor.length);
    bins.put(at + 20, descriptor);
    return sk;
  }

  private int subkeyList(Key key) {
    List<Key> sorted = new ArrayList<>(key.children);
    sorted.sort((a, b) -> a.name.toUpperCase().compareTo(b.name.toUpperCase()));
    if (key.listKind.equals("ri")) {
      int half = (sorted.size() + 1) / 2;
      int first = leafList("lh", sorted.subList(0, half));
      int second = sorted.size() > half ? leafList("li", sorted.subList(half, sorted.size())) : -1;
      int lists = second < 0 ? 1 : 2;
      int ri = allocate(4 + 4 * lists);
      bins.put(ri + 4, "ri".getBytes(StandardCharsets.US_ASCII));
      bins.putShort(ri + 6, (short) lists);
      bins.putInt(ri + 8, first);
      if (second >= 0) {
        bins.putInt(ri + 12, second);
      }
      return ri;
    }
    return leafList(key.listKind, sorted);
  }

  private int leafList(String kind, List<Key> keys) {
    int entry = kind.equals("li") ? 4 : 8;
    int list = allocate(4 + entry * keys.size());
    bins.put(list + 4, kind.getBytes(StandardCharsets.US_ASCII));
    bins.putShort(list + 6, (short) keys.size());
    for (int i = 0; i < keys.size(); i++) {
      bins.putInt(list + 8 + entry * i, keys.get(i).cell);
      if (entry == 8) {
        bins.putInt(list + 12 + entry * i, kind.equals("lh") ? hash(keys.get(i).name) : 0);
      }
    }
    return list;
  }

  /** The name hash of an lh list: each upper-cased character, times 37 plus. */
  private static int hash(String name) {
    int h = 0;
    for (char c : name.toUpperCase().toCharArray()) {
      h = h * 37 + c;
    }
    return h;
  }

  private int valueList(List<Value> values) {
    int[] cells = new int[values.size()];
    for (int i = 0; i < values.size(); i++) {
      cells[i] = value(values.get(i));
    }
    int list = allocate(4 * cells.length);
    for (int i = 0; i < cells.length; i++) {
      bins.putInt(list + 4 + 4 * i, cells[i]);
    }
    return list;
  }

  private int value(Value v) {
    byte[] name = v.asciiName() ? v.name().getBytes(StandardCharsets.ISO_8859_1)
        : v.name().getBytes(StandardCharsets.UTF_16LE);
    int dataSize = v.data().length;
    int dataCell = 0;
    if (dataSize > 4) {
      dataCell = dataSize > 16344 && minor > 3 ? bigData(v.data()) : raw(v.data());
    }
    int vk = allocate(20 + name.length);
    int at = vk + 4;
    bins.put(at, "vk".getBytes(StandardCharsets.US_ASCII));
    bins.putShort(at + 2, (short) name.length);
    if (dataSize <= 4) {
      bins.putInt(at + 4, dataSize | 0x80000000);
      bins.put(at + 8, v.data());
    } else {
      bins.putInt(at + 4, dataSize);
      bins.putInt(at + 8, dataCell);
    }
    bins.putInt(at + 12, v.type());
    bins.putShort(at + 16, (short) (v.asciiName() ? 1 : 0));
    bins.put(at + 20, name);
    return vk;
  }

  private int raw(byte[] data) {
    int cell = allocate(data.length);
    bins.put(cell + 4, data);
    return cell;
  }

  private int bigData(byte[] data) {
    List<Integer> segments = new ArrayList<>();
    for (int off = 0; off < data.length; off += 16344) {
      byte[] part = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 16344));
      segments.add(raw(part));
    }
    int list = allocate(4 * segments.size());
    for (int i = 0; i < segments.size(); i++) {
      bins.putInt(list + 4 + 4 * i, segments.get(i));
    }
    int db = allocate(8);
    bins.put(db + 4, "db".getBytes(StandardCharsets.US_ASCII));
    bins.putShort(db + 6, (short) segments.size());
    bins.putInt(db + 8, list);
    return db;
  }

  /** An allocated cell for {@code bytes} of data, 8-byte aligned; returns its offset in the bins. */
  private int allocate(int bytes) {
    int size = (bytes + 4 + 7) & ~7;
    int cell = bins.position();
    bins.putInt(cell, -size);
    bins.position(cell + size);
    return cell;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
