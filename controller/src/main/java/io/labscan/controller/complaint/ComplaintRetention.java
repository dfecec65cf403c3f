package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Prunes the complaints that arrived by mail ({@code complaint_messages}, with their stored triage
 * answers, and the IMAP messages they were, {@code complaint_uids}) once they are older than
 * {@code --keep-complaints-days} (default {@value Pruner.Retention#DEFAULT_COMPLAINT_DAYS}),
 * as part of the daily prune of {@code serve} and of {@code prune}.
 *
 * <p><b>What is kept whatever its age</b>, because the watch's idempotency rests on it: per
 * mailbox and UIDVALIDITY the message of the highest UID handled (the watch resumes after it, so
 * older messages still in the folder are never triaged again), and every message whose move is
 * still pending (the watch finishes it at the next connection). Traces the verdicts use are
 * {@code complaint_traces}, pruned with the verdict history ({@code --keep-history-days}), not here.
 * What is forgotten: after a UIDVALIDITY change, a message older than the retention that is still
 * in the watched folder is no longer recognised by its Message-ID and is triaged again.
 *
 * <p>Each complaint's stored size is bounded when it is stored ({@link ComplaintLog}: the triage
 * answer at 64 KiB, subject, sender and detail cut), so the table grows with the number of
 * complaints alone, and this bounds that by age. Batches of {@value Pruner#BATCH} rows, each its
 * own writer task, as the other rules.
 */
public final class ComplaintRetention implements Pruner.AgedRows {
  /** The messages that must stay: the high-water mark of each folder, and pending moves. */
  private static final String KEPT = "complaint_seq IN (SELECT u.complaint_seq FROM complaint_uids u WHERE u.uid = "
      + "(SELECT MAX(v.uid) FROM complaint_uids v WHERE v.mailbox = u.mailbox AND v.uid_validity = u.uid_validity)) "
      + "OR complaint_seq IN (SELECT complaint_seq FROM complaint_uids WHERE moved_to IS NULL)";
  private static final String OLD_MESSAGES = "handled_ms < ? AND NOT (" + KEPT + ")";
  private static final String ORPHAN_UIDS = "complaint_seq NOT IN (SELECT complaint_seq FROM complaint_messages)";

  @Override
  public Map<String, Long> prune(Storage store, Pruner.Retention retention, Instant now, boolean dryRun) {
    requireNonNull(store, "store");
    requireNonNull(retention, "retention");
    long cutoff = requireNonNull(now, "now").minus(Duration.ofDays(retention.complaintDays())).toEpochMilli();
    Map<String, Long> rows = new LinkedHashMap<>();
    if (dryRun) {
      rows.put("complaint_messages", count(store, "complaint_messages", OLD_MESSAGES, cutoff));
      rows.put("complaint_uids", count(store, "complaint_uids", "complaint_seq IN (SELECT complaint_seq FROM "
          + "complaint_messages WHERE " + OLD_MESSAGES + ")", cutoff));
      return rows;
    }
    rows.put("complaint_messages", delete(store, "complaint_messages", "complaint_seq", OLD_MESSAGES, cutoff));
    rows.put("complaint_uids", delete(store, "complaint_uids", store.dialect().rowId(), ORPHAN_UIDS, null));
    return rows;
  }

  private static long count(Storage store, String table, String where, long cutoff) {
    return store.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
        ps.setLong(1, cutoff);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  private static long delete(Storage store, String table, String row, String where, @Nullable Long cutoff) {
    long total = 0;
    while (true) {
      int deleted = store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM " + table + " WHERE " + row + " IN (SELECT " + row
            + " FROM " + table + " WHERE " + where + store.dialect().limit(Pruner.BATCH) + ")")) {
          if (cutoff != null) {
            ps.setLong(1, cutoff);
          }
          return ps.executeUpdate();
        }
      }).join();
      total += deleted;
      if (deleted < Pruner.BATCH) {
        return total;
      }
    }
  }
}
