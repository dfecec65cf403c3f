package io.labscan.installers;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the installer sources are: Maven passes the module folder; an IDE runs in it. */
final class InstallerFiles {
  private InstallerFiles() {}

  static Path dir() {
    Path dir = Path.of(System.getProperty("labscan.installers.dir", ".")).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir.resolve("unix"))) {
      throw new IllegalStateException(dir + " is not the installers module (no unix/ folder)");
    }
    return dir;
  }

  static Path file(String relative) {
    return dir().resolve(relative);
  }
}
