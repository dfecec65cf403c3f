package io.labscan.controller.web;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.TestReports;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.metrics.ControllerMetrics;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.proto.v1.Command;
import io.labscan.testsupport.TestWiring;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Triage page's API with the real engine on a real store (tracing, "Record as evidence")
 * and the Settings page's trusted MTAs, over real HTTP.
 */
class TriageTrustWebTest {
  private static final String ADMIN = "it-staff";
  private static final String VIEWER = "lab-manager";
  private static final String PASSWORD = "correct horse battery";
  private static final Instant SEEN = Instant.now().minus(40, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
  private static final Instant SENT = SEEN.plus(10, ChronoUnit.MINUTES);
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();
  private final String mx = TestReports.newHostId();
  private final String linda = TestReports.newHostId();
  private Storage store;
  private VerdictService verdicts;
  private CampaignService campaigns;
  private WebServer web;

  @BeforeEach
  void start() {
    store = Storage.open(dir.resolve("controller.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock);
    Fleet fleet = TestWiring.fleet(store, new LabRules(store, clock), VerdictPolicy.defaults(), clock);
    campaigns = new CampaignService(store, new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        return false;
      }

      @Override
      public void onConnect(Consumer<String> hostConnected) {}

      @Override
      public Set<String> connected() {
        return Set.of();
      }
    }, fleet.targets(), clock).start();
    Accounts accounts = new Accounts(store, 4, clock);
    accounts.add(ADMIN, Role.ADMIN, PASSWORD, false);
    accounts.add(VIEWER, Role.VIEWER, PASSWORD, false);
    ComplaintTriage triage = new ComplaintTriage(store, verdicts, TrustConfig.of(List.of("192.0.2.0/24")), clock);
    web = WebServer.start(new WebServer.Config("127.0.0.1", 0, false), new WebServer.Services(fleet,
        new ComplianceHistory(fleet), accounts, new Sessions(store, clock), new LoginThrottle(clock),
        new EngineTriageRunner(triage), campaigns, new ControllerMetrics(() -> 0, java.util.Map::of),
        new TrustSettings(new TrustedMtas(store.database(), clock), List.of("192.0.2.0/24"))));
    store.ingest(TestReports.fullScan(linda, "lab-pc-07", SEEN, 1, "10.20.3.17"), SEEN, "t").join();
  }

  @AfterEach
  void stop() {
    web.close();
    campaigns.close();
    verdicts.close();
    store.close();
  }

  private void campusMxWithTheMailServerRole() {
    store.ingest(TestReports.fullScan(mx, "mx1", SEEN, 1, "198.51.100.5"), SEEN, "t").join();
    store.setRole(mx, PolicyProvider.MAIL_SERVER_ROLE, true).join();
  }

  private ApiClient login(String user) throws Exception {
    return new ApiClient("http://127.0.0.1:" + web.port()).loggedIn(user, PASSWORD);
  }

  private static byte[] complaint(String topWriter) {
    return String.join("\r\n",
        "Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])",
        "\tby " + topWriter + " (Postfix) with ESMTP id 9A1B; " + RFC5322.format(SENT.plusSeconds(2)),
        "Received: from harold-pc (unknown [10.20.3.17])",
        "\tby mx1.campus.example.edu (Postfix) with SMTP id 4F1E; " + RFC5322.format(SENT),
        "From: harold@campus.example.edu",
        "To: janet@campus.example.edu",
        "Subject: honey",
        "Message-ID: <web-" + topWriter + "@harold-pc>",
        "",
        "hi",
        "").getBytes(StandardCharsets.US_ASCII);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ApiClient.JSON.readTree(r.body());
  }

  @Test
  void tracingAComplaintAnswersWithTheSentenceAndRecordsNothing() throws Exception {
    campusMxWithTheMailServerRole();
    ApiClient admin = login(ADMIN);

    HttpResponse<String> r = admin.post("/api/v1/triage", "message/rfc822", complaint("mailbox.campus.example.edu"),
        admin.csrf());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode answer = json(r);
    // The PC's last report came before the mail: the holding then is assumed (red-team round 6, R6).
    assertThat(answer.get("result").get("summary").asText()).startsWith("Sent by lab-pc-07 (last reported 10.20.3.17 at ")
        .contains("assumed to still hold it within the 2 h grace) at ");
    assertThat(answer.get("result").get("recordable").asBoolean()).isTrue();
    assertThat(answer.get("recorded").isNull()).isTrue();
    assertThat(store.verdict(linda).map(v -> v.verdict())).isNotEqualTo(java.util.Optional.of(Verdict.SUSPECTED));
    assertThat(new TrustedMtas(store.database(), clock).recording(answer.get("complaintId").asText())).isEmpty();
  }

  @Test
  void recordAsEvidenceKeepsWhoRecordedItAndWhen() throws Exception {
    campusMxWithTheMailServerRole();
    ApiClient admin = login(ADMIN);
    byte[] message = complaint("mailbox.campus.example.edu");

    HttpResponse<String> r = admin.post("/api/v1/triage/record", "message/rfc822", message, admin.csrf());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("recorded").get("by").asText()).isEqualTo(ADMIN);
    JsonNode again = json(admin.post("/api/v1/triage", "message/rfc822", message, admin.csrf()));
    assertThat(again.get("recorded").get("by").asText()).isEqualTo(ADMIN);
    assertThat(again.get("recorded").get("hostIds").toString()).contains(linda);
    verdicts.recompute(linda);
    verdicts.flush();
    assertThat(store.verdict(linda).orElseThrow().verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void anAdminWithdrawsARecordedTraceKeptInTheHistoryAndTheWithdrawalIsAudited() throws Exception {
    campusMxWithTheMailServerRole();
    ApiClient admin = login(ADMIN);
    String complaintId = json(admin.post("/api/v1/triage/record", "message/rfc822",
        complaint("mailbox.campus.example.edu"), admin.csrf())).get("complaintId").asText();

    HttpResponse<String> r = admin.postJson("/api/v1/triage/withdraw", ApiClient.JSON.createObjectNode()
        .put("complaintId", complaintId).put("reason", "wrong relay configuration"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("withdrawn").toString()).contains(linda);
    assertThat(new TrustedMtas(store.database(), clock).recording(complaintId)).isEmpty();
    assertThat(new io.labscan.controller.store.ComplaintTraces(store.database()).history(complaintId))
        .singleElement().asString().startsWith(linda + ": withdrawn by " + ADMIN);
    List<String> audit = store.read(db -> {
      List<String> out = new ArrayList<>();
      try (var ps = db.prepareStatement("SELECT actor, target FROM audit_log WHERE action = 'triage.withdraw'");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
      return out;
    });
    assertThat(audit).containsExactly(ADMIN + " " + complaintId);
    assertThat(admin.postJson("/api/v1/triage/withdraw", ApiClient.JSON.createObjectNode()
        .put("complaintId", complaintId)).statusCode()).isEqualTo(404);
  }

  @Test
  void viewersCannotWithdrawARecordedTrace() throws Exception {
    campusMxWithTheMailServerRole();
    ApiClient admin = login(ADMIN);
    String complaintId = json(admin.post("/api/v1/triage/record", "message/rfc822",
        complaint("mailbox.campus.example.edu"), admin.csrf())).get("complaintId").asText();
    ApiClient viewer = login(VIEWER);

    assertThat(viewer.postJson("/api/v1/triage/withdraw", ApiClient.JSON.createObjectNode()
        .put("complaintId", complaintId)).statusCode()).isEqualTo(403);
    assertThat(new TrustedMtas(store.database(), clock).recording(complaintId)).isPresent();
  }

  @Test
  void anAnswerNoMtaOfOursRecordedIsRefusedWithTheReason() throws Exception {
    ApiClient admin = login(ADMIN);

    HttpResponse<String> r = admin.post("/api/v1/triage/record", "message/rfc822",
        complaint("mx.outside.example.org"), admin.csrf());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(json(r).get("error").asText()).startsWith("not recorded as evidence: hop 0")
        .contains("mx.outside.example.org, which is not an MTA of ours");
  }

  @Test
  void viewersNeitherRecordNorSeeTheSettings() throws Exception {
    ApiClient viewer = login(VIEWER);

    assertThat(viewer.post("/api/v1/triage/record", "message/rfc822", complaint("mailbox.campus.example.edu"),
        viewer.csrf()).statusCode()).isEqualTo(403);
    assertThat(viewer.get("/api/v1/settings/trusted-mtas").statusCode()).isEqualTo(403);
    assertThat(viewer.postJson("/api/v1/settings/trusted-mtas",
        ApiClient.JSON.createObjectNode().put("entry", "10.0.0.0/8")).statusCode()).isEqualTo(403);
    assertThat(viewer.get("/settings").statusCode()).isEqualTo(403);
    assertThat(new TrustedMtas(store.database(), clock).list()).isEmpty();
  }

  @Test
  void anAdminAddsAndRemovesTrustedMtasAndEveryChangeIsAudited() throws Exception {
    ApiClient admin = login(ADMIN);

    HttpResponse<String> added = admin.postJson("/api/v1/settings/trusted-mtas",
        ApiClient.JSON.createObjectNode().put("entry", " 198.51.100.0/24 "));
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    JsonNode list = admin.getJson("/api/v1/settings/trusted-mtas");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("entry").asText()).isEqualTo("192.0.2.0/24");
    assertThat(list.get(0).get("source").asText()).isEqualTo("serve --trust");
    assertThat(list.get(0).get("removable").asBoolean()).isFalse();
    assertThat(list.get(1).get("entry").asText()).isEqualTo("198.51.100.0/24");
    assertThat(list.get(1).get("addedBy").asText()).isEqualTo(ADMIN);

    String id = json(added).get("entryId").asText();
    assertThat(admin.delete("/api/v1/settings/trusted-mtas/" + id).statusCode()).isEqualTo(204);
    assertThat(admin.delete("/api/v1/settings/trusted-mtas/" + id).statusCode()).isEqualTo(404);
    assertThat(admin.getJson("/api/v1/settings/trusted-mtas")).hasSize(1);
    List<String> audit = store.read(db -> {
      List<String> rows = new ArrayList<>();
      try (ResultSet rs = db.createStatement().executeQuery(
          "SELECT username, action, entry FROM trusted_mta_changes ORDER BY at_ms, rowid")) {
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
        }
      }
      return rows;
    });
    assertThat(audit).containsExactly(ADMIN + " add 198.51.100.0/24", ADMIN + " remove 198.51.100.0/24");
  }

  @Test
  void aBadEntryIsRefusedNamingTheProblem() throws Exception {
    ApiClient admin = login(ADMIN);

    HttpResponse<String> r = admin.postJson("/api/v1/settings/trusted-mtas",
        ApiClient.JSON.createObjectNode().put("entry", "999.1.2.3/40"));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r).get("error").asText()).startsWith("entry: --trust 999.1.2.3/40: not a host name");
  }

  @Test
  void anMtaTrustedOnTheSettingsPageIsUsedByWebTriage() throws Exception {
    ApiClient admin = login(ADMIN);
    byte[] message = complaint("mailbox.campus.example.edu");
    JsonNode before = json(admin.post("/api/v1/triage", "message/rfc822", message, admin.csrf()));
    assertThat(before.get("result").get("origin").get("ip").asText()).isEqualTo("198.51.100.5");

    admin.postJson("/api/v1/settings/trusted-mtas", ApiClient.JSON.createObjectNode().put("entry", "198.51.100.5"));
    JsonNode after = json(admin.post("/api/v1/triage", "message/rfc822", message, admin.csrf()));

    assertThat(after.get("result").get("origin").get("ip").asText()).isEqualTo("10.20.3.17");
    assertThat(after.get("result").get("complaints").get(0).get("hops").get(1).get("trustSource").asText())
        .isEqualTo("configured (--trust 198.51.100.5)");
  }
}
