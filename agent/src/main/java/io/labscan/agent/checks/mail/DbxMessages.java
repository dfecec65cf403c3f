package io.labscan.agent.checks.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Best-effort extraction of the messages of an Outlook Express 5/6 {@code .dbx} file.
 *
 * <p>The file starts with a {@code 0x24bc}-byte header whose first eight bytes mark a message
 * database ({@code CF AD 12 FE C5 FD 74 6F}). Message text lives in blocks: a 16-byte header
 * (the block's own file offset, the block's data capacity, the length of text in it, the
 * offset of the next block or 0) followed by the text. This reader does not decode the
 * index trees; it finds every block by its self-pointer, treats blocks no other block points
 * to as the first block of a message, and follows the chains. Limits: messages whose blocks
 * were overwritten come out truncated or not at all; deleted messages whose blocks survive
 * are found too (useful here); OE4 {@code .mbx} files and {@code Folders.dbx} are not read.
 */
final class DbxMessages {
  static final int HEADER_BYTES = 0x24bc;
  private static final byte[] MESSAGE_DB_SIGNATURE = {
      (byte) 0xCF, (byte) 0xAD, 0x12, (byte) 0xFE, (byte) 0xC5, (byte) 0xFD, 0x74, 0x6F};
  private static final int BLOCK_HEADER_BYTES = 16;
  private static final int MAX_BLOCK_DATA = 0x10000;
  private static final int CHUNK_BYTES = 64 * 1024;
  /** Offsets are 32-bit: nothing past 4 GiB can be addressed by a block chain. */
  private static final long MAX_FILE_BYTES = 0xFFFF_FFFFL;

  /** Receives each message put together from a block chain. */
  interface MessageConsumer {
    /**
     * @param index 1-based position of the message among those found
     * @param firstBlock file offset of the message's first block
     * @param message the message text
     */
    void message(int index, long firstBlock, byte[] message) throws IOException;

    /** A chain longer than the size bound starts at {@code firstBlock}; it was not read. */
    void tooLarge(long firstBlock);
  }

  private DbxMessages() {}

  /** Whether the file is an Outlook Express message database. */
  static boolean isMessageDatabase(FileChannel channel) throws IOException {
    byte[] head = new byte[MESSAGE_DB_SIGNATURE.length];
    return StoreFiles.readAt(channel, 0, head) == head.length
        && Arrays.equals(head, MESSAGE_DB_SIGNATURE);
  }

  /**
   * Puts the messages together.
   *
   * @param maxMessageBytes longest message assembled; longer chains are reported through
   *     {@link MessageConsumer#tooLarge(long)}
   * @return bytes read
   */
  static long extract(FileChannel channel, long maxMessageBytes, MessageConsumer consumer)
      throws IOException, InterruptedException {
    long size = Math.min(channel.size(), MAX_FILE_BYTES);
    IntList blocks = new IntList();
    IntList targets = new IntList();
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES + BLOCK_HEADER_BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (long base = HEADER_BYTES; base + BLOCK_HEADER_BYTES <= size; base += CHUNK_BYTES) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("dbx scan interrupted");
      }
      chunk.clear();
      readFully(channel, chunk, base);
      int available = chunk.position();
      for (int i = 0; i < CHUNK_BYTES && i + BLOCK_HEADER_BYTES <= available; i += 4) {
        long offset = base + i;
        long next = blockNext(chunk, i, offset, size);
        if (next >= 0) {
          blocks.add(offset);
          if (next > 0) {
            targets.add(next);
          }
        }
      }
    }
    targets.sort();
    int index = 0;
    for (int i = 0; i < blocks.size(); i++) {
      long first = blocks.get(i);
      if (targets.contains(first)) {
        continue;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("dbx scan interrupted");
      }
      Optional<byte[]> message = assemble(channel, first, blocks, size, maxMessageBytes);
      if (message.isEmpty()) {
        consumer.tooLarge(first);
      } else if (looksLikeHeader(message.get())) {
        index++;
        consumer.message(index, first, message.get());
      }
    }
    return size;
  }

  /**
   * The next-block offset of a valid block header at {@code i} in {@code chunk} (0 for the
   * last block of a chain), or -1 when no block starts there.
   */
  private static long blockNext(ByteBuffer chunk, int i, long offset, long size) {
    long self = Integer.toUnsignedLong(chunk.getInt(i));
    if (self != offset) {
      return -1;
    }
    long capacity = Integer.toUnsignedLong(chunk.getInt(i + 4));
    long length = Integer.toUnsignedLong(chunk.getInt(i + 8));
    long next = Integer.toUnsignedLong(chunk.getInt(i + 12));
    if (capacity == 0 || capacity > MAX_BLOCK_DATA || length > capacity
        || offset + BLOCK_HEADER_BYTES + length > size) {
      return -1;
    }
    if (next != 0 && (next == offset || next % 4 != 0 || next < HEADER_BYTES
        || next + BLOCK_HEADER_BYTES > size)) {
      return -1;
    }
    return next;
  }

  /** The text of the chain starting at {@code first}; empty when over the size bound. */
  private static Optional<byte[]> assemble(FileChannel channel, long first, IntList blocks,
      long size, long maxMessageBytes) throws IOException {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Set<Long> visited = new HashSet<>();
    ByteBuffer header = ByteBuffer.allocate(BLOCK_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long offset = first;
    while (offset != 0 && blocks.contains(offset) && visited.add(offset)) {
      header.clear();
      readFully(channel, header, offset);
      if (header.position() < BLOCK_HEADER_BYTES) {
        break;
      }
      long next = blockNext(header, 0, offset, size);
      if (next < 0) {
        break;
      }
      int length = header.getInt(8);
      if (text.size() + (long) length > maxMessageBytes) {
        return Optional.empty();
      }
      ByteBuffer data = ByteBuffer.allocate(length);
      readFully(channel, data, offset + BLOCK_HEADER_BYTES);
      text.write(data.array(), 0, data.position());
      offset = next;
    }
    return Optional.of(text.toByteArray());
  }

  /** Whether the text starts with an RFC 822 header field ("Name:"). */
  private static boolean looksLikeHeader(byte[] message) {
    int i = 0;
    while (i < message.length && i < 80) {
      byte b = message[i];
      if (b == ':') {
        return i > 0;
      }
      if (b < 33 || b > 126) {
        return false;
      }
      i++;
    }
    return false;
  }

  private static void readFully(FileChannel channel, ByteBuffer target, long position)
      throws IOException {
    long at = position;
    while (target.hasRemaining()) {
      int n = channel.read(target, at);
      if (n < 0) {
        break;
      }
      at += n;
    }
  }

  /**
   * Growable list of 32-bit unsigned offsets: 4 bytes per block, so even a 2 GiB store's
   * block index stays around 16 MiB.
   */
  private static final class IntList {
    private int[] values = new int[1024];
    private int size;
    private boolean sorted = true;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      int v = (int) value;
      if (size > 0 && Integer.compareUnsigned(values[size - 1], v) > 0) {
        sorted = false;
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long get(int i) {
      return Integer.toUnsignedLong(values[i]);
    }

    void sort() {
      // Flipping the sign bit maps unsigned order onto signed order, for sort and search.
      for (int i = 0; i < size; i++) {
        values[i] ^= Integer.MIN_VALUE;
      }
      Arrays.sort(values, 0, size);
      for (int i = 0; i < size; i++) {
        values[i] ^= Integer.MIN_VALUE;
      }
      sorted = true;
    }

    boolean contains(long value) {
      if (!sorted) {
        throw new IllegalStateException("not sorted");
      }
      int key = (int) value ^ Integer.MIN_VALUE;
      int low = 0;
      int high = size - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        int v = values[mid] ^ Integer.MIN_VALUE;
        if (v < key) {
          low = mid + 1;
        } else if (v > key) {
          high = mid - 1;
        } else {
          return true;
        }
      }
      return false;
    }
  }
}
