package io.labscan.agent.checks.harvest;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.mail.ProfileFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * Files read as raw bytes for address-like strings (see {@link AddressScanner}), chosen by
 * extension. Used for what Klez reads as text ({@code .htm .html .txt .eml}) and, best
 * effort, for binary address books: the Windows Address Book ({@code .wab}, addresses as
 * ASCII and UTF-16LE) and Thunderbird's Mork {@code .mab} (addresses as plain text in the
 * value cells).
 */
final class ScannedBytesSource implements AddressSource {
  private final Set<String> extensions;

  ScannedBytesSource(Set<String> extensions) {
    this.extensions = Set.copyOf(requireNonNull(extensions, "extensions"));
  }

  @Override
  public boolean reads(ProfileFile file) {
    String name = file.lowerCaseName();
    int dot = name.lastIndexOf('.');
    return dot >= 0 && extensions.contains(name.substring(dot + 1));
  }

  @Override
  public void read(ProfileFile file, AddressCollector addresses) throws IOException {
    AddressScanner scanner = new AddressScanner(addresses::add);
    try (InputStream in = file.open()) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        scanner.feed(buffer, 0, n);
      }
    }
    scanner.finish();
  }
}
