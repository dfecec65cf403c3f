package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations on databases written before them: V006 fills the user → host table, V007 keeps enrolments. */
class QueryIndexMigrationTest {
  @TempDir Path dir;

  @Test
  void hostUsersAreBackFilledFromTheLoggedInUsersOfExistingHosts() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.migrate(db);
      undoAfterVersion8(db);
      undoVersion8(db);
      undoVersion7(db);
      undoVersion6(db);
      try (Statement st = db.createStatement()) {
        st.execute("INSERT INTO hosts(host_id, hostname, logged_in_users, first_seen_ms, last_seen_ms) VALUES "
            + "('h1', 'lab-pc-07', 'Linda, guest,,', 0, 0), ('h2', 'lab-pc-12', 'harold', 0, 0), "
            + "('h3', 'lab-pc-13', '', 0, 0)");
      }

      Migrations.migrate(db);

      assertThat(rows(db, "SELECT user_name || '@' || host_id FROM host_users ORDER BY 1"))
          .containsExactly("guest@h1", "harold@h2", "linda@h1");
      assertThat(rows(db, "SELECT MAX(version) FROM schema_version"))
          .containsExactly(String.valueOf(Migrations.latest()));
    }
  }

  @Test
  void hostsEnrolledBeforeRenewalExistedKeepTheirCertificateWithNothingToRetry() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.migrate(db);
      undoAfterVersion8(db);
      undoVersion8(db);
      undoVersion7(db);
      try (Statement st = db.createStatement()) {
        st.execute("INSERT INTO host_enrolments(host_id, lab, token_id, certificate_serial, "
            + "certificate_not_after_ms, enrolled_ms) VALUES ('h1', 'physics', 't1', 'a1', 99, 1)");
      }

      Migrations.migrate(db);

      assertThat(rows(db, "SELECT certificate_serial || '|' || previous_certificate_serial || '|' "
          + "|| certificate_key_sha256 || '|' || renewed_ms FROM host_enrolments")).containsExactly("a1|||0");
    }
  }

  @Test
  void singleSignOnRolesLastSetByALoginCountAsFromTheGroupsAndThoseAnAdminSetAfterwardsDoNot() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.migrate(db);
      undoHostNameHistory(db); // the migrations after V022, newest first
      undoRecordingMta(db);
      undoSupersededComplaintTraces(db);
      undoEgressWindowLengthStatistics(db);
      undoChangeNotificationsAndOnceOnly(db);
      undoReportRecipients(db);
      undoSsoRoleOrigin(db);
      try (Statement st = db.createStatement()) {
        st.execute("INSERT INTO user_identities(username, issuer, subject, created_ms) VALUES "
            + "('grace', 'https://idp', 's-1', 1), ('ada', 'https://idp', 's-2', 1), ('linus', 'https://idp', 's-3', 1)");
        String login = "INSERT INTO audit_log(at_ms, actor_kind, actor, action, target, detail, channel, address) VALUES ";
        st.execute(login + "(1, 'user', 'grace', 'login', 'grace', 'single sign-on https://idp; role viewer from the "
            + "identity provider''s groups', 'http', '10.0.0.1')");
        st.execute(login + "(2, 'user', 'ada', 'login', 'ada', 'single sign-on https://idp; role admin from the "
            + "identity provider''s groups', 'http', '10.0.0.2')");
        st.execute(login + "(3, 'cli', 'root', 'user.role', 'ada', 'viewer', 'cli', 'labscan')");
        st.execute(login + "(4, 'user', 'linus', 'login', 'linus', 'single sign-on https://idp; no group maps to a "
            + "role; the role an admin assigned is kept', 'http', '10.0.0.3')");
      }

      Migrations.migrate(db);

      assertThat(rows(db, "SELECT username || '=' || role_from_claim FROM user_identities ORDER BY username"))
          .containsExactly("ada=0", "grace=1", "linus=0");
    }
  }

  /**
   * Back to a database written at version 8: the later migrations undone newest first (each
   * found by its file name, since a version is the file's position in the list).
   */
  private static void undoAfterVersion8(Connection db) throws Exception {
    undoHostNameHistory(db);
    undoRecordingMta(db);
    undoSupersededComplaintTraces(db);
    undoEgressWindowLengthStatistics(db);
    undoChangeNotificationsAndOnceOnly(db);
    undoReportRecipients(db);
    undoSsoRoleOrigin(db);
    undoExternalIdentities(db);
    undoAgentResources(db);
    undoReportSubscriptions(db);
    undoAccess(db);
    undoQuarantine(db);
    undoComplaintMailboxes(db);
    undoEffectiveLab(db);
    undoLeasesAndEgressJudgement(db);
    undoIdentity(db);
    undoClockClaims(db);
    undoTrustedMtas(db);
    undoAddressWrites(db);
  }

  /** Back to a database written before V031 (the recording MTA on complaint traces; issue 15, N7). */
  private static void undoRecordingMta(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("ALTER TABLE complaint_trace_history DROP COLUMN recording_mta");
      st.execute("ALTER TABLE complaint_traces DROP COLUMN recording_mta");
      st.execute("DELETE FROM schema_version WHERE description = 'V031__recording_mta.sql'");
    }
  }

  /** Back to a database written before V034 (no name history). */
  private static void undoHostNameHistory(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE host_names");
      st.execute("DELETE FROM schema_version WHERE description = 'V034__host_name_history.sql'");
    }
  }

  /** Back to a database written before V029 (superseded and withdrawn complaint traces; issue 15 R5). */
  private static void undoSupersededComplaintTraces(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE complaint_trace_history");
      st.execute("DROP INDEX complaint_traces_by_key");
      st.execute("ALTER TABLE complaint_traces DROP COLUMN complaint_key");
      st.execute("DELETE FROM schema_version WHERE description = 'V029__superseded_complaint_traces.sql'");
    }
  }

  /** Back to a database written before V025 (nothing changed in SQLite: only its version row). */
  private static void undoEgressWindowLengthStatistics(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DELETE FROM schema_version WHERE description = 'V025__egress_window_length_statistics.sql'");
    }
  }

  /** Back to a database written before V024 (complaints and alerts once among controllers; issue 20). */
  private static void undoChangeNotificationsAndOnceOnly(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE alert_claims");
      st.execute("DROP INDEX complaint_messages_by_imap_uid");
      st.execute("ALTER TABLE complaint_messages DROP COLUMN imap_uid");
      st.execute("DELETE FROM schema_version WHERE description = 'V024__change_notifications_and_once_only.sql'");
    }
  }

  @Test
  void hostsKnownBeforeTheNameHistoryStartItWithTheirCurrentNameAsFirstSeen() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.migrate(db);
      undoHostNameHistory(db);
      try (Statement st = db.createStatement()) {
        st.execute("INSERT INTO hosts(host_id, hostname, enrolled_ms, first_seen_ms, last_seen_ms) "
            + "VALUES ('h-1', 'lab-pc-07', 5, 5, 9)");
      }

      Migrations.migrate(db);

      assertThat(rows(db, "SELECT host_id || ' ' || seq || ' ' || hostname || ' ' || from_ms || ' ' "
          + "|| COALESCE(until_ms, 'current') FROM host_names")).containsExactly("h-1 1 lab-pc-07 5 current");
    }
  }

  @Test
  void aDatabaseThatAlreadyHoldsTheSameComplaintTwiceMigratesAndKeepsBoth() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.migrate(db);
      undoHostNameHistory(db); // newest first
      undoRecordingMta(db);
      undoSupersededComplaintTraces(db);
      undoEgressWindowLengthStatistics(db);
      undoChangeNotificationsAndOnceOnly(db);
      try (Statement st = db.createStatement()) {
        for (int i = 1; i <= 2; i++) {
          // Two controllers triaged the same message before V024 (the lock was lost for a moment).
          st.execute("INSERT INTO complaint_messages(complaint_seq, mailbox, message_key, received_ms, handled_ms, "
              + "size_bytes, outcome) VALUES (" + i + ", 'imaps://abuse@mail.example.edu:993/INBOX', "
              + "'<worm-1@lab-pc-07>', 1, 2, 4000, 'triaged')");
        }
      }

      Migrations.migrate(db);

      assertThat(rows(db, "SELECT complaint_seq || ':' || COALESCE(imap_uid, 'none') FROM complaint_messages "
          + "ORDER BY 1")).containsExactly("1:none", "2:none");
      assertThat(rows(db, "SELECT MAX(version) FROM schema_version"))
          .containsExactly(String.valueOf(Migrations.latest()));
    }
  }

  /** Back to a database written before V023 (confirmed report recipients, verdict index; issue 18). */
  private static void undoReportRecipients(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP INDEX verdict_history_by_host_verdict");
      st.execute("DROP TABLE report_confirmation_mails");
      st.execute("DROP TABLE report_recipients");
      st.execute("DELETE FROM schema_version WHERE description = 'V023__report_recipients.sql'");
    }
  }

  /** Back to a database written before V022 (single sign-on role origin, prepared accounts; issue 18). */
  private static void undoSsoRoleOrigin(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE sso_provisioned");
      st.execute("ALTER TABLE user_identities DROP COLUMN role_from_claim");
      st.execute("DELETE FROM schema_version WHERE description = 'V022__sso_role_origin.sql'");
    }
  }

  /** Back to a database written before V021 (single sign-on identities; issue 18). */
  private static void undoExternalIdentities(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE user_identities");
      st.execute("DELETE FROM schema_version WHERE description = 'V021__external_identities.sql'");
    }
  }

  /** Back to a database written before V020 (agents' own resource figures; issue 21). */
  private static void undoAgentResources(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE agent_resources");
      st.execute("DELETE FROM schema_version WHERE description = 'V020__agent_resources.sql'");
    }
  }

  /** Back to a database written before V019 (compliance report subscriptions; issue 18). */
  private static void undoReportSubscriptions(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE report_deliveries");
      st.execute("DROP TABLE report_subscriptions");
      st.execute("DELETE FROM schema_version WHERE description = 'V019__report_subscriptions.sql'");
    }
  }

  /** Back to a database written before V018 (per-lab roles, API tokens, audit log; issue 18). */
  private static void undoAccess(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String table : List.of("user_labs", "api_tokens", "api_token_labs", "audit_log")) {
        st.execute("DROP TABLE " + table);
      }
      st.execute("DELETE FROM schema_version WHERE description = 'V018__access.sql'");
    }
  }

  /** Back to a database written before the complaint mailboxes (V016, whatever number it has after merges). */
  /** Back to a database written before the SMTP quarantine (V017; issue 22). */
  private static void undoQuarantine(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String table : List.of("quarantine_blocked", "quarantine_agent_state", "quarantine_orders")) {
        st.execute("DROP TABLE " + table);
      }
      st.execute("DELETE FROM schema_version WHERE description = 'V017__quarantine.sql'");
    }
  }

  private static void undoComplaintMailboxes(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE complaint_uids");
      st.execute("DROP TABLE complaint_messages");
      st.execute("DELETE FROM schema_version WHERE description = 'V016__complaint_mailboxes.sql'");
    }
  }

  /** Back to a database written before V012 (trusted MTAs, complaint_traces.recorded_by). */
  private static void undoTrustedMtas(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE trusted_mtas");
      st.execute("DROP TABLE trusted_mta_changes");
      st.execute("ALTER TABLE complaint_traces DROP COLUMN recorded_by");
      st.execute("DELETE FROM schema_version WHERE description = 'V012__trusted_mtas.sql'");
    }
  }

  /** Back to a database written before V010 (the version is the file's position in the list). */
  private static void undoAddressWrites(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP INDEX host_addresses_current");
      st.execute("DELETE FROM schema_version WHERE description = 'V010__address_writes.sql'");
    }
  }

  /** Takes V014 (lease ends, the agent's egress word) back out, whatever number it has after merges. */
  private static void undoLeasesAndEgressJudgement(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("ALTER TABLE host_addresses DROP COLUMN lease_end_ms");
      st.execute("ALTER TABLE egress_windows DROP COLUMN agent_allowed");
      st.execute("DELETE FROM schema_version WHERE description = 'V014__leases_and_egress_judgement.sql'");
    }
  }

  /** Back to a database written before V015 (the effective lab stored on the host). */
  private static void undoEffectiveLab(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String column : List.of("effective_lab", "lab_source", "lab_rule_id")) {
        st.execute("ALTER TABLE hosts DROP COLUMN " + column);
      }
      st.execute("DELETE FROM schema_version WHERE description = 'V015__effective_lab.sql'");
    }
  }

  /** Back to a database written before the identity migration (tokens bound to a host, import provenance). */
  private static void undoIdentity(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE report_imports");
      st.execute("ALTER TABLE enrolment_tokens DROP COLUMN host_id");
      st.execute("DELETE FROM schema_version WHERE version = " + (Migrations.FILES.indexOf("V013__identity.sql") + 1));
    }
  }

  private static void undoVersion8(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE web_sessions");
      st.execute("DELETE FROM schema_version WHERE version = 8");
    }
  }

  /** Back to a database written before V007 (SQLite 3.35+ drops columns). */
  private static void undoVersion7(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String column : List.of("previous_certificate_serial", "certificate_key_sha256", "renewed_ms")) {
        st.execute("ALTER TABLE host_enrolments DROP COLUMN " + column);
      }
      st.execute("DELETE FROM schema_version WHERE version = 7");
    }
  }

  private static void undoVersion6(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE host_users");
      st.execute("DROP INDEX egress_long_windows");
      for (String index : List.of("egress_unallowed_by_host", "egress_unallowed_by_time", "findings_by_report",
          "av_status_by_report")) {
        st.execute("DROP INDEX " + index);
      }
      st.execute("DELETE FROM schema_version WHERE version = 6");
    }
  }

  /** Takes V011__clock_claims.sql (issue #16) back out, whatever number it has after merges. */
  private static void undoClockClaims(Connection db) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String column : List.of("claimed_last_report_ms", "clock_skew_ms", "clock_skew_seen_ms")) {
        st.execute("ALTER TABLE hosts DROP COLUMN " + column);
      }
      st.execute("DELETE FROM schema_version WHERE description = 'V011__clock_claims.sql'");
    }
  }

  private static List<String> rows(Connection db, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
