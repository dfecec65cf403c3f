package io.labscan.controller.audit;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.text.LogText;
import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log in the store's {@code audit_log} table (migration V018).
 *
 * <p><b>Append-only.</b> This class only inserts and reads; the table's triggers refuse every
 * UPDATE and every DELETE of an entry younger than 90 days, so neither a bug nor a hand-written
 * statement through LabScan's connection rewrites recent history. Old entries go only through
 * the retention prune ({@link io.labscan.controller.store.Pruner}, {@code --keep-audit-days},
 * default 400). Someone with write access to the database file itself can still change it:
 * file permissions (0600) are the defence there, as for the rest of the evidence.
 *
 * <p><b>Bounded.</b> Every text is cut (actor and target 256 characters, detail 2,048) and its
 * control and format characters escaped ({@link LogText}) before it is stored, so one hostile
 * user name in a failed login costs a short row and cannot forge a line in an export.
 * Writes wait for their commit: when {@link #record} returns, the entry is on disk.
 */
public final class AuditLog implements Audit {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  static final int MAX_NAME = 256;
  static final int MAX_DETAIL = 2048;

  private final Storage store;
  private final Clock clock;

  public AuditLog(Storage store, Clock clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The audit a command-line tool uses: the OS user on this machine, system clock. */
  public static AuditLog forCli(Storage store) {
    return new AuditLog(store, Clock.systemUTC());
  }

  /** Records an event done by the operating-system user of a command-line tool. */
  public void cli(String action, String target, String detail) {
    record(Actor.cli(), action, target, detail, Source.cli());
  }

  @Override
  public void record(Actor actor, String action, String target, String detail, Source source) {
    requireNonNull(actor, "actor");
    requireNonNull(action, "action");
    requireNonNull(source, "source");
    long at = clock.millis();
    store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO audit_log(at_ms, actor_kind, actor, action, "
          + "target, detail, channel, address) VALUES (?,?,?,?,?,?,?,?)")) {
        ps.setLong(1, at);
        ps.setString(2, actor.kind().id());
        ps.setString(3, clean(actor.name(), MAX_NAME));
        ps.setString(4, clean(action, 64));
        ps.setString(5, clean(target, MAX_NAME));
        ps.setString(6, clean(detail, MAX_DETAIL));
        ps.setString(7, clean(source.channel(), 16));
        ps.setString(8, clean(source.address(), 64));
        return ps.executeUpdate();
      }
    }).join();
    log.info("Audit: {} {} {} {} from {} {}", actor.kind().id(), LogText.of(actor.name()), action,
        LogText.of(target == null ? "" : target), source.channel(), LogText.of(source.address()));
  }

  /** Entries matching the query, newest first. */
  public List<AuditEntry> find(AuditQuery q) {
    requireNonNull(q, "q");
    StringBuilder sql = new StringBuilder("SELECT seq, at_ms, actor_kind, actor, action, target, detail, channel, "
        + "address FROM audit_log WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    q.actor().ifPresent(a -> {
      sql.append(" AND ").append(store.dialect().containsText("lower(actor)"));
      args.add(a.toLowerCase(Locale.ROOT));
    });
    q.action().ifPresent(a -> {
      sql.append(" AND (action = ? OR substr(action, 1, ?) = ?)");
      args.add(a);
      args.add(a.length() + 1); // an int: PostgreSQL has substr(text, int, int), no bigint form
      args.add(a + ".");
    });
    q.from().ifPresent(f -> {
      sql.append(" AND at_ms >= ?");
      args.add(f.toEpochMilli());
    });
    q.to().ifPresent(t -> {
      sql.append(" AND at_ms < ?");
      args.add(t.toEpochMilli());
    });
    sql.append(" ORDER BY seq DESC LIMIT ?");
    args.add((long) q.limit());
    return store.read(db -> {
      List<AuditEntry> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          Object a = args.get(i);
          if (a instanceof Long l) {
            ps.setLong(i + 1, l);
          } else if (a instanceof Integer n) {
            ps.setInt(i + 1, n);
          } else {
            ps.setString(i + 1, (String) a);
          }
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Actor.Kind kind;
            try {
              kind = Actor.Kind.parse(rs.getString(3));
            } catch (IllegalArgumentException e) {
              kind = Actor.Kind.SYSTEM;
            }
            out.add(new AuditEntry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
                new Actor(kind, rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7),
                new Source(rs.getString(8), rs.getString(9))));
          }
        }
      }
      return out;
    });
  }

  private static String clean(String s, int max) {
    if (s == null || s.isEmpty()) {
      return "";
    }
    return LogText.of(s, max);
  }
}
