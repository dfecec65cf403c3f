package io.labscan.agent.checks.artifacts.walk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Writes down, in order, what a walk told it; folders are '/'-joined relative paths. */
final class RecordingVisitor implements WalkVisitor<String> {
  final List<String> events = new ArrayList<>();
  final List<String> files = new ArrayList<>();
  final List<String> notFollowed = new ArrayList<>();
  final List<String> unreadable = new ArrayList<>();
  final List<String> listedComplete = new ArrayList<>();
  final List<String> listedIncomplete = new ArrayList<>();
  Set<String> declined = Set.of();
  Consumer<FileEntry> onFile = e -> {};
  int stopAfterFiles = Integer.MAX_VALUE;

  @Override
  public String root() {
    return "";
  }

  @Override
  public Optional<String> enter(String parent, String name) {
    String relative = join(parent, name);
    events.add("enter " + relative);
    return declined.contains(relative) ? Optional.empty() : Optional.of(relative);
  }

  @Override
  public void file(String folder, FileEntry file) {
    String relative = join(folder, file.name());
    events.add("file " + relative);
    files.add(relative);
    onFile.accept(file);
  }

  @Override
  public void notFollowed(String folder, String name, EntryType type) {
    notFollowed.add(join(folder, name) + " " + type);
  }

  @Override
  public void unreadable(String folder, String name) {
    unreadable.add(join(folder, name));
  }

  @Override
  public void listed(String folder, boolean complete) {
    events.add("listed " + folder);
    (complete ? listedComplete : listedIncomplete).add(folder);
  }

  @Override
  public boolean stopRequested() {
    return files.size() >= stopAfterFiles;
  }

  static String join(String folder, String name) {
    return folder.isEmpty() ? name : name.isEmpty() ? folder : folder + "/" + name;
  }

  /** Reads all of a channel. */
  static byte[] readAll(FileEntry file) {
    try (var channel = file.open()) {
      var out = new java.io.ByteArrayOutputStream();
      var buffer = java.nio.ByteBuffer.allocate(7); // small on purpose: several reads
      while (channel.read(buffer) >= 0) {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
