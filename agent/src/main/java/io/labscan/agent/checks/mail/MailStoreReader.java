package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the messages of a mail store, whatever its format, and hands each to a visitor as a
 * {@link MimeMessage}. Message bodies stay in the file (see {@link FileSharedStream}); only
 * .dbx messages, which are scattered over blocks, are put together in memory.
 *
 * <p>Counts the store as scanned, messages over {@link MailLimits#maxMessageBytes()} as
 * {@code too-large}, stores that cannot be read as {@code unreadable}, broken framing as
 * {@code malformed-store} and messages the parser rejects as {@code malformed-message}.
 */
public final class MailStoreReader {
  private static final Logger log = LoggerFactory.getLogger(MailStoreReader.class);

  private final MailLimits limits;
  private final ScanCounters counters;

  public MailStoreReader(MailLimits limits, ScanCounters counters) {
    this.limits = requireNonNull(limits, "limits");
    this.counters = requireNonNull(counters, "counters");
  }

  /** Reads every message of {@code store}. */
  public void read(MailStore store, StoredMessageVisitor visitor) throws InterruptedException {
    requireNonNull(store, "store");
    requireNonNull(visitor, "visitor");
    try (FileSharedStream file = FileSharedStream.open(store.opener())) {
      long bytes = switch (store.format()) {
        case EML, MAILDIR -> readWhole(store, file, visitor);
        case EMLX -> readEmlx(store, file, visitor);
        case MBOX -> readMbox(store, file, visitor);
        case DBX -> readDbx(store, file, visitor);
      };
      counters.scanned(1, bytes);
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        // An interrupt closed the channel (the check's time budget): not the store's fault.
        throw new InterruptedException("mail store read interrupted");
      }
      log.debug("Cannot read mail store {}: {}", store.relativePath(), e.toString());
      counters.skipped(SkipReasons.UNREADABLE, 1);
    }
  }

  private long readWhole(MailStore store, FileSharedStream file, StoredMessageVisitor visitor) {
    long size = file.length();
    if (size > limits.maxMessageBytes()) {
      counters.skipped(SkipReasons.TOO_LARGE, 1);
      return 0;
    }
    deliver(store, 1, "whole file", file.newStream(0, -1),
        MessageBytes.ofFileRange(store.opener(), 0, size), visitor);
    return size;
  }

  private long readEmlx(MailStore store, FileSharedStream file, StoredMessageVisitor visitor)
      throws IOException {
    Optional<EmlxFraming.Range> range = EmlxFraming.read(file.channel());
    if (range.isEmpty()) {
      counters.skipped(SkipReasons.MALFORMED_STORE, 1);
      return 0;
    }
    EmlxFraming.Range r = range.get();
    if (r.end() - r.start() > limits.maxMessageBytes()) {
      counters.skipped(SkipReasons.TOO_LARGE, 1);
      return 0;
    }
    deliver(store, 1, "whole file", file.newStream(r.start(), r.end()),
        MessageBytes.ofFileRange(store.opener(), 0, file.length()), visitor);
    return file.length();
  }

  private long readMbox(MailStore store, FileSharedStream file, StoredMessageVisitor visitor)
      throws IOException, InterruptedException {
    return MboxSplitter.split(file.channel(), (index, start, end) -> {
      if (end - start > limits.maxMessageBytes()) {
        counters.skipped(SkipReasons.TOO_LARGE, 1);
        return;
      }
      deliver(store, index, "message " + index + " at byte " + start,
          file.newStream(start, end), MessageBytes.ofFileRange(store.opener(), start, end - start),
          visitor);
    });
  }

  private long readDbx(MailStore store, FileSharedStream file, StoredMessageVisitor visitor)
      throws IOException, InterruptedException {
    if (!DbxMessages.isMessageDatabase(file.channel())) {
      counters.skipped(SkipReasons.MALFORMED_STORE, 1);
      return 0;
    }
    return DbxMessages.extract(file.channel(), limits.maxMessageBytes(),
        new DbxMessages.MessageConsumer() {
          @Override
          public void message(int index, long firstBlock, byte[] message) {
            deliver(store, index,
                "message " + index + " at block 0x" + Long.toHexString(firstBlock),
                new SharedByteArrayInputStream(message), MessageBytes.ofArray(message), visitor);
          }

          @Override
          public void tooLarge(long firstBlock) {
            counters.skipped(SkipReasons.TOO_LARGE, 1);
          }
        });
  }

  private void deliver(MailStore store, int index, String location, InputStream content,
      MessageBytes evidence, StoredMessageVisitor visitor) {
    MimeMessage mime;
    try {
      mime = new MimeMessage(MailSessions.offline(), content);
    } catch (MessagingException | RuntimeException e) {
      // Jakarta Mail is not hardened against hostile input: anything it throws while
      // parsing one message must not end the scan of the store.
      log.debug("Unparseable message {} in {}: {}", index, store.relativePath(), e.toString());
      counters.skipped(SkipReasons.MALFORMED_MESSAGE, 1);
      return;
    }
    visitor.message(new StoredMessage(store, index, location, mime, evidence));
  }
}
