package io.labscan.agent.checks.artifacts.walk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link TreeWalker} does; one subclass per walker. */
abstract class TreeWalkerContract {
  @TempDir Path tmp;

  abstract TreeWalker walker();

  private Path root() throws IOException {
    return Files.createDirectories(tmp.resolve("root")).toRealPath();
  }

  private static Path write(Path root, String relative, String content) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  @Test
  void everyRegularFileIsVisitedOnceInItsFolder() throws Exception {
    Path root = root();
    write(root, "top.txt", "a");
    write(root, "WINDOWS/SYSTEM32/WINKABCD.EXE", "b");
    write(root, "WINDOWS/SYSTEM32/drivers/etc/hosts", "c");
    write(root, "Users/alice/Local Settings/Temp/qzxwvbk.exe", "d");
    RecordingVisitor visitor = new RecordingVisitor();

    walker().walk(root, visitor);

    assertThat(visitor.files).containsExactlyInAnyOrder("top.txt", "WINDOWS/SYSTEM32/WINKABCD.EXE",
        "WINDOWS/SYSTEM32/drivers/etc/hosts", "Users/alice/Local Settings/Temp/qzxwvbk.exe");
    assertThat(visitor.unreadable).isEmpty();
  }

  @Test
  void aFoldersFilesComeBeforeItsSubfoldersAndItIsListedOnceCompletely() throws Exception {
    Path root = root();
    write(root, "a/sub/deep.txt", "x");
    write(root, "a/one.txt", "x");
    write(root, "a/two.txt", "x");
    RecordingVisitor visitor = new RecordingVisitor();

    walker().walk(root, visitor);

    int listedA = visitor.events.indexOf("listed a");
    assertThat(visitor.events.indexOf("file a/one.txt")).isBetween(0, listedA);
    assertThat(visitor.events.indexOf("file a/two.txt")).isBetween(0, listedA);
    assertThat(visitor.events.indexOf("enter a/sub")).isGreaterThan(listedA);
    assertThat(visitor.listedComplete).containsExactlyInAnyOrder("", "a", "a/sub");
    assertThat(visitor.listedIncomplete).isEmpty();
  }

  @Test
  void symbolicLinksAreReportedAndNeverFollowed() throws Exception {
    Path root = root();
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside the root");
    Files.createSymbolicLink(root.resolve("to-folder"), outside);
    Files.createSymbolicLink(root.resolve("to-file"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nothing-here"));
    RecordingVisitor visitor = new RecordingVisitor();

    walker().walk(root, visitor);

    assertThat(visitor.files).isEmpty();
    assertThat(visitor.events).noneMatch(e -> e.startsWith("enter"));
    assertThat(visitor.notFollowed).containsExactlyInAnyOrder("to-folder SYMLINK", "to-file SYMLINK",
        "dangling SYMLINK");
  }

  @Test
  void aNamedPipeIsReportedAsSpecialAndNotVisitedAsAFile() throws Exception {
    Path root = root();
    Path fifo = root.resolve("pipe");
    assertThat(mkfifo(fifo)).as("mkfifo made the pipe").isTrue();
    RecordingVisitor visitor = new RecordingVisitor();

    walker().walk(root, visitor);

    assertThat(visitor.files).isEmpty();
    assertThat(visitor.notFollowed).containsExactly("pipe SPECIAL");
  }

  @Test
  void aFolderTheVisitorDeclinesIsNeitherListedNorEntered() throws Exception {
    Path root = root();
    write(root, "proc/1/status", "x");
    write(root, "home/notes.txt", "x");
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.declined = java.util.Set.of("proc");

    walker().walk(root, visitor);

    assertThat(visitor.files).containsExactly("home/notes.txt");
    assertThat(visitor.events).doesNotContain("enter proc/1", "listed proc");
  }

  @Test
  void attributesGiveSizeModificationTimeAndTheJdksFileKey() throws Exception {
    Path root = root();
    Path file = write(root, "f.bin", "twelve bytes");
    BasicFileAttributes jdk = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    AtomicReference<FileAttributes> seen = new AtomicReference<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> seen.set(unchecked(e::attributes));

    walker().walk(root, visitor);

    assertThat(seen.get()).usingRecursiveComparison().ignoringFields("links", "ctimeNanos", "inode")
        .isEqualTo(new FileAttributes(12, jdk.lastModifiedTime().to(TimeUnit.NANOSECONDS),
            String.valueOf(jdk.fileKey())));
  }

  @Test
  void attributesNowSeeAChangeMadeAfterTheListing() throws Exception {
    Path root = root();
    Path file = write(root, "grows.log", "short");
    List<Long> sizes = new ArrayList<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> {
      sizes.add(unchecked(e::attributes).size());
      unchecked(() -> Files.writeString(file, "a good deal longer"));
      sizes.add(unchecked(e::attributesNow).size());
    };

    walker().walk(root, visitor);

    assertThat(sizes).containsExactly(5L, 18L);
  }

  @Test
  void openReadsTheWholeFile() throws Exception {
    Path root = root();
    String content = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    write(root, "eicar.com", content);
    List<byte[]> read = new ArrayList<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> read.add(RecordingVisitor.readAll(e));

    walker().walk(root, visitor);

    assertThat(read).singleElement().isEqualTo(content.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void aFileSwappedForALinkAfterItWasListedIsNotOpened() throws Exception {
    Path root = root();
    Path file = write(root, "report.txt", "inside");
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "outside the root");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> {
      unchecked(() -> { Files.delete(file); return null; });
      unchecked(() -> Files.createSymbolicLink(file, outside));
      try {
        RecordingVisitor.readAll(e);
      } catch (RuntimeException expected) {
        failure.set(expected);
      }
    };

    walker().walk(root, visitor);

    assertThat(failure.get()).isNotNull();
  }

  /** All of a channel, read at positions (as the mail readers do). */
  private static String readAt(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // positional reads until full
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
  }

  @Test
  void openChannelReadsTheFileAtAnyPosition() throws Exception {
    Path root = root();
    write(root, "mail/inbox", "From ann@x date\nSubject: hello\n");
    List<String> read = new ArrayList<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> read.add(unchecked(() -> {
      try (var channel = e.openChannel()) {
        return readAt(channel);
      }
    }));

    walker().walk(root, visitor);

    assertThat(read).containsExactly("From ann@x date\nSubject: hello\n");
  }

  @Test
  void openSiblingOpensARegularFileBesideTheEntryAndRefusesALink() throws Exception {
    Path root = root();
    write(root, "profile/abook.sqlite", "book");
    write(root, "profile/abook.sqlite-wal", "wal");
    Path outside = Files.writeString(tmp.resolve("secret"), "outside the root");
    Files.createSymbolicLink(root.resolve("profile/abook.sqlite-shm"), outside);
    List<String> read = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.onFile = e -> {
      if (!e.name().equals("abook.sqlite")) {
        return;
      }
      read.add(unchecked(() -> {
        try (var channel = e.openSibling("abook.sqlite-wal")) {
          return readAt(channel);
        }
      }));
      for (String name : List.of("abook.sqlite-shm", "missing", "../abook.sqlite", "")) {
        try (var channel = e.openSibling(name)) {
          read.add(name + " was opened");
        } catch (IOException expected) {
          refused.add(name);
        }
      }
    };

    walker().walk(root, visitor);

    assertThat(read).containsExactly("wal");
    assertThat(refused).containsExactly("abook.sqlite-shm", "missing", "../abook.sqlite", "");
  }

  @Test
  void aTreeThreeHundredFoldersDeepIsWalkedToTheBottom() throws Exception {
    Path root = root();
    Path deep = root;
    StringBuilder relative = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      deep = Files.createDirectory(deep.resolve("d")); // one level at a time: createDirectories is quadratic here
      relative.append(i == 0 ? "d" : "/d");
    }
    Files.writeString(deep.resolve("bottom.txt"), "x");
    RecordingVisitor visitor = new RecordingVisitor();

    walker().walk(root, visitor);

    assertThat(visitor.files).containsExactly(relative + "/bottom.txt");
  }

  @Test
  void theWalkStopsWhenAsked() throws Exception {
    Path root = root();
    for (int i = 0; i < 20; i++) {
      write(root, "f" + (i % 4) + "/file" + i, "x");
    }
    RecordingVisitor visitor = new RecordingVisitor();
    visitor.stopAfterFiles = 3;

    walker().walk(root, visitor);

    assertThat(visitor.files).hasSize(3);
  }

  @Test
  void aRootThatIsNotAFolderIsAnError() throws Exception {
    Path file = Files.writeString(tmp.resolve("plain.txt"), "x");

    assertThatThrownBy(() -> walker().walk(file, new RecordingVisitor())).isInstanceOf(IOException.class);
  }

  static boolean mkfifo(Path path) throws InterruptedException {
    try {
      return new ProcessBuilder(Requirements.command("mkfifo", "coreutils").toString(), path.toString()).start()
          .waitFor() == 0 && Files.exists(path);
    } catch (IOException e) {
      return false;
    }
  }

  interface IoSupplier<T> {
    T get() throws IOException;
  }

  static <T> T unchecked(IoSupplier<T> action) {
    try {
      return action.get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
