package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Storage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code report_subscriptions} and {@code report_deliveries} tables (migration V019). */
final class SubscriptionRepository {
  private static final String COLUMNS =
      "subscription_id, username, email, lab, cadence, created_ms, last_error, last_attempt_ms";

  private final Storage store;

  SubscriptionRepository(Storage store) {
    this.store = requireNonNull(store, "store");
  }

  /** Inserts; false when the same user already subscribes the same address to the same report. */
  boolean insert(Subscription s) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO report_subscriptions(" + COLUMNS
          + ") VALUES (?,?,?,?,?,?,'',NULL) ON CONFLICT DO NOTHING")) {
        ps.setString(1, s.subscriptionId());
        ps.setString(2, s.username());
        ps.setString(3, s.email());
        ps.setString(4, s.lab().orElse(""));
        ps.setString(5, s.cadence().id());
        ps.setLong(6, s.created().toEpochMilli());
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  boolean delete(String subscriptionId) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM report_subscriptions WHERE subscription_id = ?");
          PreparedStatement deliveries = db.prepareStatement(
              "DELETE FROM report_deliveries WHERE subscription_id = ?")) {
        ps.setString(1, subscriptionId);
        deliveries.setString(1, subscriptionId);
        deliveries.executeUpdate();
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  List<Subscription> all() {
    return query("SELECT " + COLUMNS + " FROM report_subscriptions ORDER BY created_ms, subscription_id", null);
  }

  List<Subscription> of(String username) {
    return query("SELECT " + COLUMNS + " FROM report_subscriptions WHERE username = ? "
        + "ORDER BY created_ms, subscription_id", username);
  }

  Optional<Subscription> find(String subscriptionId) {
    return query("SELECT " + COLUMNS + " FROM report_subscriptions WHERE subscription_id = ?", subscriptionId)
        .stream().findFirst();
  }

  private List<Subscription> query(String sql, @org.jspecify.annotations.Nullable String arg) {
    return store.read(db -> {
      List<Subscription> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        if (arg != null) {
          ps.setString(1, arg);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            row(rs).ifPresent(out::add);
          }
        }
      }
      return out;
    });
  }

  private static Optional<Subscription> row(ResultSet rs) throws SQLException {
    Optional<Cadence> cadence = Cadence.parse(rs.getString(5));
    if (cadence.isEmpty()) {
      return Optional.empty();
    }
    String lab = rs.getString(4);
    long attempt = rs.getLong(8);
    boolean noAttempt = rs.wasNull();
    return Optional.of(new Subscription(rs.getString(1), rs.getString(2), rs.getString(3),
        lab.isEmpty() ? Optional.empty() : Optional.of(lab), cadence.get(), Instant.ofEpochMilli(rs.getLong(6)),
        rs.getString(7), noAttempt ? Optional.empty() : Optional.of(Instant.ofEpochMilli(attempt))));
  }

  /** The periods (their first days) already sent for a subscription. */
  Set<LocalDate> delivered(String subscriptionId) {
    return store.read(db -> {
      Set<LocalDate> out = new HashSet<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT period_from FROM report_deliveries WHERE subscription_id = ?")) {
        ps.setString(1, subscriptionId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(LocalDate.parse(rs.getString(1)));
          }
        }
      }
      return out;
    });
  }

  /** Records a sent period and clears the last error; false when that period was recorded before. */
  boolean recordDelivery(String subscriptionId, DateRange period, Instant at, String messageId) {
    return store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO report_deliveries(subscription_id, period_from, "
          + "period_to, sent_ms, message_id) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING");
          PreparedStatement ok = db.prepareStatement("UPDATE report_subscriptions SET last_error = '', "
              + "last_attempt_ms = ? WHERE subscription_id = ?")) {
        ps.setString(1, subscriptionId);
        ps.setString(2, period.from().toString());
        ps.setString(3, period.to().toString());
        ps.setLong(4, at.toEpochMilli());
        ps.setString(5, messageId);
        ok.setLong(1, at.toEpochMilli());
        ok.setString(2, subscriptionId);
        ok.executeUpdate();
        return ps.executeUpdate() == 1;
      }
    }).join();
  }

  void recordFailure(String subscriptionId, Instant at, String error) {
    store.update(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE report_subscriptions SET last_error = ?, "
          + "last_attempt_ms = ? WHERE subscription_id = ?")) {
        ps.setString(1, error.length() > 500 ? error.substring(0, 500) : error);
        ps.setLong(2, at.toEpochMilli());
        ps.setString(3, subscriptionId);
        ps.executeUpdate();
      }
    }).join();
  }
}
