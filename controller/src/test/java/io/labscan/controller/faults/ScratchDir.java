package io.labscan.controller.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary folder in memory ({@code /dev/shm}) when the machine has one, else on disk.
 *
 * <p>The agents' state folders go here. The agents are not what these tests kill, and 200
 * spools with {@code synchronous=FULL} cost three fsyncs per report: on a shared 2-core
 * machine that measures the disk, not the controller's behaviour under faults.
 */
final class ScratchDir implements AutoCloseable {
  private final Path path;

  private ScratchDir(Path path) {
    this.path = path;
  }

  static ScratchDir inMemory(String prefix) {
    Path shm = Path.of("/dev/shm");
    try {
      return new ScratchDir(Files.isDirectory(shm) && Files.isWritable(shm)
          ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
