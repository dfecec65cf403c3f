package io.labscan.controller.complaint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The mailbox watch's options of {@code serve} (a picocli mixin): which mailboxes, their
 * passwords (files), the IMAP server's CA, the handled folders and the limits.
 */
public final class ComplaintMailboxOptions {
  /** Largest password file read. */
  static final int MAX_PASSWORD_FILE = 4096;

  @Option(names = "--complaint-mailbox", paramLabel = "URI",
      description = "A mailbox folder where complaints land, watched with IMAP IDLE (repeatable): "
          + "imaps://USER@HOST[:993]/FOLDER, or imap://USER@HOST[:143]/FOLDER with STARTTLS (required). "
          + "Each new message is triaged as 'triage' does and moved to a handled folder.")
  List<String> mailboxes = new ArrayList<>();

  @Option(names = "--complaint-password-file", paramLabel = "FILE",
      description = "The password of the --complaint-mailbox at the same position (repeatable; one file serves "
          + "every mailbox). Its first line is read; keep it readable by the controller's account only.")
  List<Path> passwordFiles = new ArrayList<>();

  @Option(names = "--complaint-ca", paramLabel = "FILE",
      description = "PEM CA certificate(s) the IMAP server's certificate must chain to (default: the system's CAs). "
          + "The server name is always checked.")
  Path caFile;

  @Option(names = "--complaint-folder-triaged", paramLabel = "NAME", defaultValue = "Triaged",
      description = "Folder for triaged complaints (created if missing; default: ${DEFAULT-VALUE}).")
  String triagedFolder;

  @Option(names = "--complaint-folder-no-origin", paramLabel = "NAME", defaultValue = "No origin",
      description = "Folder for mail whose origin triage cannot find (default: ${DEFAULT-VALUE}).")
  String noOriginFolder;

  @Option(names = "--complaint-folder-not-complaint", paramLabel = "NAME", defaultValue = "Not a complaint",
      description = "Folder for messages that are not mail or are too large (default: ${DEFAULT-VALUE}).")
  String notAComplaintFolder;

  @Option(names = "--complaint-max-bytes", paramLabel = "BYTES", defaultValue = "10485760",
      description = "Larger messages are not downloaded or triaged (default: ${DEFAULT-VALUE}, at most 32 MiB).")
  long maxBytes;

  @Option(names = "--complaint-rate", paramLabel = "PER_MINUTE", defaultValue = "60",
      description = "Messages triaged per minute per mailbox at most; more wait in the mailbox "
          + "(default: ${DEFAULT-VALUE}).")
  int perMinute;

  /** Whether any mailbox is to be watched. */
  public boolean any() {
    return !mailboxes.isEmpty();
  }

  /** The settings; an IllegalArgumentException names the bad option. */
  public WatchSettings settings() {
    try {
      return WatchSettings.defaults().withFolders(triagedFolder, noOriginFolder, notAComplaintFolder)
          .withLimits(maxBytes, perMinute);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--complaint-*: " + e.getMessage(), e);
    }
  }

  /** The mailboxes with their passwords; an IllegalArgumentException names the problem. */
  public List<MailboxConfig> mailboxes() {
    if (mailboxes.isEmpty()) {
      if (!passwordFiles.isEmpty() || caFile != null) {
        throw new IllegalArgumentException("--complaint-password-file and --complaint-ca need a --complaint-mailbox");
      }
      return List.of();
    }
    if (passwordFiles.isEmpty()) {
      throw new IllegalArgumentException("--complaint-mailbox needs --complaint-password-file FILE (the password is "
          + "never given on the command line)");
    }
    if (passwordFiles.size() != 1 && passwordFiles.size() != mailboxes.size()) {
      throw new IllegalArgumentException("give one --complaint-password-file for every mailbox, or one for all: "
          + mailboxes.size() + " mailbox(es), " + passwordFiles.size() + " password file(s)");
    }
    if (caFile != null && !Files.isReadable(caFile)) {
      throw new IllegalArgumentException("--complaint-ca " + caFile + ": cannot read the file");
    }
    List<MailboxConfig> out = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < mailboxes.size(); i++) {
      MailboxAddress address;
      try {
        address = MailboxAddress.parse(mailboxes.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--complaint-mailbox: " + e.getMessage(), e);
      }
      if (keys.contains(address.key())) {
        throw new IllegalArgumentException("--complaint-mailbox " + address.key() + " is given twice");
      }
      keys.add(address.key());
      Path file = passwordFiles.get(passwordFiles.size() == 1 ? 0 : i);
      out.add(new MailboxConfig(address, password(file), Optional.ofNullable(caFile)));
    }
    return out;
  }

  /** The first line of the file, without its line end. */
  static String password(Path file) {
    try {
      if (Files.size(file) > MAX_PASSWORD_FILE) {
        throw new IllegalArgumentException("--complaint-password-file " + file + " is larger than "
            + MAX_PASSWORD_FILE + " bytes: is it the right file?");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      String line = (end < 0 ? text : text.substring(0, end));
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        throw new IllegalArgumentException("--complaint-password-file " + file + " holds no password on its first line");
      }
      return line;
    } catch (IOException e) {
      throw new IllegalArgumentException("--complaint-password-file " + file + ": cannot read it (" + e.getMessage()
          + ")", e);
    }
  }
}
