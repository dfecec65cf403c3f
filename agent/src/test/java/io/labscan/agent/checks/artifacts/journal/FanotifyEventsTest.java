package io.labscan.agent.checks.artifacts.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Event buffers laid out as the kernel writes them (checked against a real read on Linux 6.18). */
class FanotifyEventsTest {
  private static final long FSID = 0x1122334455667788L;
  private static final byte[] DIR = {1, 2, 3, 4, 5, 6, 7, 8};
  private static final byte[] FILE = {9, 9, 9, 9, 8, 8, 8, 8};

  private final Recorder seen = new Recorder();

  @Test
  void anEventNamingAFolderAndAnEntryMarksThatFolder() {
    byte[] buffer = event(FanotifyEvents.FAN_CREATE, dfidName(DIR, "new.exe"));

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.folders).containsExactly(handle(DIR));
    assertThat(seen.problems).isEmpty();
  }

  @Test
  void aModificationMarksTheFolderAndNotTheFileAlone() {
    byte[] buffer = event(FanotifyEvents.FAN_MODIFY | FanotifyEvents.FAN_CLOSE_WRITE,
        dfidName(DIR, "x.bin"), fid(FILE));

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.folders).containsExactly(handle(DIR));
    assertThat(seen.filesOnly).isEmpty();
  }

  @Test
  void aLinkCountChangeNamingNoFolderIsReportedAsFileOnly() {
    byte[] buffer = event(FanotifyEvents.FAN_ATTRIB, fid(FILE));

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.filesOnly).containsExactly(handle(FILE));
    assertThat(seen.folders).isEmpty();
  }

  @Test
  void aFoldersOwnEventByItsFileIdMarksThatFolder() {
    byte[] buffer = event(FanotifyEvents.FAN_MOVE_SELF | FanotifyEvents.FAN_ONDIR, fid(DIR));

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.folders).containsExactly(handle(DIR));
  }

  @Test
  void severalEventsInOneReadAreAllParsed() {
    byte[] buffer = concat(event(FanotifyEvents.FAN_DELETE, dfidName(DIR, "a")),
        event(FanotifyEvents.FAN_CREATE, dfidName(FILE, "b")));

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.folders).containsExactly(handle(DIR), handle(FILE));
  }

  @Test
  void aQueueOverflowIsReported() {
    byte[] buffer = event(FanotifyEvents.FAN_Q_OVERFLOW);

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.overflows).isEqualTo(1);
  }

  @Test
  void anEventLongerThanTheBufferIsMalformedNotReadPastTheEnd() {
    byte[] buffer = event(FanotifyEvents.FAN_CREATE, dfidName(DIR, "name"));

    FanotifyEvents.parse(buffer, buffer.length - 3, seen);

    assertThat(seen.problems).singleElement().asString().contains("event of");
    assertThat(seen.folders).isEmpty();
  }

  @Test
  void aHandleLongerThanItsRecordIsMalformed() {
    byte[] record = dfidName(DIR, "x");
    ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 200); // handle_bytes

    byte[] buffer = event(FanotifyEvents.FAN_CREATE, record);
    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.problems).singleElement().asString().contains("does not hold its handle");
  }

  @Test
  void anUnknownMetadataVersionIsMalformed() {
    byte[] buffer = event(FanotifyEvents.FAN_CREATE, dfidName(DIR, "x"));
    buffer[4] = 2;

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.problems).singleElement().asString().contains("version 2");
  }

  @Test
  void anEventWithoutAnyFileIdIsMalformed() {
    byte[] buffer = event(FanotifyEvents.FAN_CREATE);

    FanotifyEvents.parse(buffer, buffer.length, seen);

    assertThat(seen.problems).singleElement().asString().contains("names no file or folder");
  }

  // --- building kernel-shaped bytes ---------------------------------------------------

  static byte[] event(long mask, byte[]... records) {
    int len = FanotifyEvents.METADATA_LEN + Arrays.stream(records).mapToInt(r -> r.length).sum();
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(len).put((byte) FanotifyEvents.METADATA_VERSION).put((byte) 0)
        .putShort((short) FanotifyEvents.METADATA_LEN).putLong(mask).putInt(-1).putInt(1234);
    for (byte[] r : records) {
      b.put(r);
    }
    return b.array();
  }

  static byte[] dfidName(byte[] handle, String name) {
    return record(FanotifyEvents.INFO_DFID_NAME, handle, name.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] fid(byte[] handle) {
    return record(FanotifyEvents.INFO_FID, handle, null);
  }

  private static byte[] record(int type, byte[] handle, byte[] name) {
    int len = 4 + 8 + 8 + handle.length + (name == null ? 0 : name.length + 1);
    len = (len + 3) & ~3; // the kernel pads records to 4 bytes
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) type).put((byte) 0).putShort((short) len).putLong(FSID).putInt(handle.length).putInt(1).put(handle);
    if (name != null) {
      b.put(name);
    }
    return b.array();
  }

  static FolderHandle handle(byte[] handle) {
    ByteBuffer b = ByteBuffer.allocate(FolderHandle.PREFIX + handle.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(FSID).putInt(1).put(handle);
    return FolderHandle.of(b.array());
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static final class Recorder implements FanotifyEvents.Sink {
    final List<FolderHandle> folders = new ArrayList<>();
    final List<FolderHandle> filesOnly = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    int overflows;

    @Override
    public void folderChanged(FolderHandle folder) {
      folders.add(folder);
    }

    @Override
    public void fileOnly(FolderHandle file, long mask) {
      filesOnly.add(file);
    }

    @Override
    public void overflow() {
      overflows++;
    }

    @Override
    public void malformed(String why) {
      problems.add(why);
    }
  }
}
