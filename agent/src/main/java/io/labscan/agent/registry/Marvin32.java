package io.labscan.agent.registry;

/**
 * Marvin32, the keyed hash Windows uses (among other places) to check the log entries of a
 * registry hive's transaction logs. Checked against the .NET runtime's published test vectors.
 */
final class Marvin32 {
  /** The seed hive log entries are hashed with (14219357686671994754). */
  static final long HIVE_LOG_SEED = 0xC5554E7A884DEF82L;

  private Marvin32() {}

  static long hash(byte[] data, int offset, int length, long seed) {
    long state = seed; // p0 in the low 32 bits, p1 in the high
    int i = offset;
    int end = offset + length;
    for (; end - i >= 4; i += 4) {
      state = block(state,
          (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24);
    }
    int last = switch (end - i) {
      case 0 -> 0x80;
      case 1 -> 0x8000 | (data[i] & 0xff);
      case 2 -> 0x800000 | (data[i] & 0xff) | (data[i + 1] & 0xff) << 8;
      default -> 0x80000000 | (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16;
    };
    return block(block(state, last), 0);
  }

  /** Adds {@code word} to p0, then one mixing round of (p0, p1). */
  private static long block(long state, int word) {
    int p0 = (int) state + word;
    int p1 = (int) (state >>> 32);
    p1 ^= p0;
    p0 = Integer.rotateLeft(p0, 20);
    p0 += p1;
    p1 = Integer.rotateLeft(p1, 9);
    p1 ^= p0;
    p0 = Integer.rotateLeft(p0, 27);
    p0 += p1;
    p1 = Integer.rotateLeft(p1, 19);
    return (long) p1 << 32 | Integer.toUnsignedLong(p0);
  }
}
