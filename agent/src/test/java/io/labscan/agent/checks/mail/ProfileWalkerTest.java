package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileWalkerTest {
  @TempDir Path root;

  private final Map<String, Long> skipped = new HashMap<>();
  private final ScanCounters counters = new ScanCounters() {
    @Override
    public void scanned(long files, long bytes) {}

    @Override
    public void skipped(String reason, long count) {
      skipped.merge(reason, count, Long::sum);
    }
  };

  private Map<String, Optional<MailStoreFormat>> walk(int depth) throws Exception {
    Map<String, Optional<MailStoreFormat>> files = new LinkedHashMap<>();
    new ProfileWalker(depth).walk(root,
        file -> files.put(file.relativePath(), file.mailFormat()), counters);
    return files;
  }

  private void touch(String path, String content) {
    MailFixtures.write(root.resolve(path), content.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void mboxIsRecognisedByItsFirstLineOnlyInsideMailFolders() throws Exception {
    touch("home/ann/mail/saved-messages", "From ann@x date\nSubject: 1\n");
    touch("home/ann/notes/From-line.txt", "From ann@x date\n");
    touch("home/ann/mail/.mutt-cache", "not a mailbox");

    assertThat(walk(32))
        .containsEntry("home/ann/mail/saved-messages", Optional.of(MailStoreFormat.MBOX))
        .containsEntry("home/ann/notes/From-line.txt", Optional.empty())
        .containsEntry("home/ann/mail/.mutt-cache", Optional.empty());
  }

  @Test
  void storesAreRecognisedByExtensionAnywhereInAProfile() throws Exception {
    touch("Users/ann/Desktop/forwarded.EML", "Subject: x\n");
    touch("Users/ann/Desktop/old.dbx", "x");

    assertThat(walk(32))
        .containsEntry("Users/ann/Desktop/forwarded.EML", Optional.of(MailStoreFormat.EML))
        .containsEntry("Users/ann/Desktop/old.dbx", Optional.of(MailStoreFormat.DBX));
  }

  @Test
  void maildirMessagesAreRecognisedInCurNewAndTmp() throws Exception {
    touch("home/ann/Maildir/new/1.M2P3.host", "Return-Path: <x@y>\n");
    touch("home/ann/Maildir/.Sent/cur/4.M5P6.host:2,S", "Subject: s\n");

    assertThat(walk(32))
        .containsEntry("home/ann/Maildir/new/1.M2P3.host", Optional.of(MailStoreFormat.MAILDIR))
        .containsEntry("home/ann/Maildir/.Sent/cur/4.M5P6.host:2,S",
            Optional.of(MailStoreFormat.MAILDIR));
  }

  @Test
  void windowsProfileFoldersAreMatchedIgnoringCase() throws Exception {
    touch("users/ann/appdata/roaming/thunderbird/profiles/p.default/mail/pop.example/Inbox",
        "From - Wed Apr 17 09:30:00 2002\n");

    assertThat(walk(32)).containsValue(Optional.of(MailStoreFormat.MBOX));
  }

  @Test
  void everySpoolFileIsAMailboxCandidate() throws Exception {
    touch("var/spool/mail/ann", "From root@host date\nSubject: cron\n");

    assertThat(walk(32)).containsEntry("var/spool/mail/ann", Optional.of(MailStoreFormat.MBOX));
  }

  @Test
  void linkedSpoolFolderInsideTheRootIsWalkedOnce() throws Exception {
    touch("var/spool/mail/ann", "From root@host date\n");
    Files.createSymbolicLink(root.resolve("var/mail"), Path.of("spool/mail"));

    assertThat(walk(32)).containsOnlyKeys("var/spool/mail/ann");
  }

  @Test
  void foldersBelowTheDepthLimitAreCounted() throws Exception {
    touch("home/ann/a/b/c/d/deep.eml", "Subject: x\n");

    assertThat(walk(3)).isEmpty();
    assertThat(skipped).containsEntry("too-deep", 1L);
  }

  @Test
  void filesOutsideProfilesAndSpoolsAreNotVisited() throws Exception {
    touch("etc/aliases", "root: ann\n");
    touch("tmp/x.eml", "Subject: x\n");

    assertThat(walk(32)).isEmpty();
  }
}
