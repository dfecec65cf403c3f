package io.labscan.agent.checks.av.clamav;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;

/** ClamAV database files as freshclam writes them, with chosen versions and build times. */
final class CvdFixtures {
  private static final DateTimeFormatter TEXT_TIME =
      DateTimeFormatter.ofPattern("dd MMM uuuu HH-mm Z", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  private CvdFixtures() {}

  /** A header line in ClamAV's layout, e.g. for daily version 27470. */
  static String headerText(int version, Instant built) {
    return "ClamAV-VDB:" + TEXT_TIME.format(built) + ":" + version + ":2077145:90"
        + ":8c5e3c1e3b09bc4b4e4a5e2d5c9c8c17"
        + ":dJ6Hkq1OCMIZwpMjMhrS0pwsKGcmvLbbvNWx0zPqJvTAsHOFxBqMhE5HiyQRxiGUOw0Pv3zLGTNbd"
        + ":raynman:" + built.getEpochSecond();
  }

  /** {@code text} space-padded to the 512-byte header. */
  static byte[] padded(String text) {
    byte[] header = new byte[CvdHeader.LENGTH];
    Arrays.fill(header, (byte) ' ');
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, 0, Math.min(bytes.length, header.length));
    return header;
  }

  /** A whole database: header plus a stand-in body (never read by the check). */
  static byte[] database(int version, Instant built) {
    byte[] header = padded(headerText(version, built));
    byte[] file = Arrays.copyOf(header, header.length + 2048);
    Arrays.fill(file, header.length, file.length, (byte) 0x1f);
    return file;
  }

  static Path write(Path directory, String name, byte[] bytes) throws IOException {
    Files.createDirectories(directory);
    return Files.write(directory.resolve(name), bytes);
  }
}
