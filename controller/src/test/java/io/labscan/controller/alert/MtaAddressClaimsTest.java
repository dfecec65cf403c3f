package io.labscan.controller.alert;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.store.Storage;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab PC reporting a configured MTA's exact address (issue 15, D) is a false claim: triage warns
 * about it in its answer; here it is alerted once per host and address, like an address conflict.
 */
class MtaAddressClaimsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  ImportedFleet fleet;
  final List<Alert> alerts = new CopyOnWriteArrayList<>();
  final List<String> trust = new ArrayList<>();

  @BeforeEach
  void fleet() {
    fleet = new ImportedFleet(dir);
  }

  @Test
  void anAddressThatIsExactlyAConfiguredEntryIsAClaimInEveryWrittenForm() {
    assertThat(MtaAddressClaims.find(List.of("10.20.0.25"), List.of("10.20.3.66", "10.20.0.25")))
        .containsExactly(new MtaAddressClaims.Claim("10.20.0.25", "10.20.0.25"));
    assertThat(MtaAddressClaims.find(List.of("10.20.0.25/32"), List.of("10.20.0.25"))).hasSize(1);
    assertThat(MtaAddressClaims.find(List.of("2001:db8::25/128"), List.of("2001:DB8:0:0::25")))
        .containsExactly(new MtaAddressClaims.Claim("2001:DB8:0:0::25", "2001:db8::25/128"));
  }

  @Test
  void networksNamesAndOtherAddressesAreNoClaim() {
    assertThat(MtaAddressClaims.find(List.of("10.20.0.0/16", "relay.lab.example.edu", "*.example.edu", "10.20.0.26"),
        List.of("10.20.0.25", "10.20.3.17"))).isEmpty();
  }

  @Test
  void aLabPcReportingTheConfiguredRelaysAddressRaisesOneConflictAlertNamingHostAddressAndEntry() throws Exception {
    String liar = id();
    String linda = id();
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.3.66", "10.20.0.25"));
    fleet.report(fleet.scan(linda, "lab-pc-07", T0, "10.20.3.17"));
    fleet.importReports();
    trust.addAll(List.of("10.20.0.0/16", "10.20.0.25"));

    try (Storage store = Storage.open(fleet.db())) {
      MtaClaimWatch watch = new MtaClaimWatch(store, () -> trust, alerts::add, CLOCK);
      assertThat(watch.check()).isEqualTo(1);
      assertThat(watch.check()).isEqualTo(1);
    }

    assertThat(alerts).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Alert.Kind.ADDRESS_CONFLICT);
      assertThat(a.hostId()).isEqualTo(liar);
      assertThat(a.reasons().get(0).code()).isEqualTo(MtaAddressClaims.CODE);
      assertThat(a.summary()).contains("lab-pc-66 (" + liar + ")").contains("10.20.0.25")
          .contains("--trust 10.20.0.25").contains("false claim");
    });
    JsonNode body = new ObjectMapper().readTree(WebhookSink.body(alerts.get(0)));
    assertThat(body.get("event").asText()).isEqualTo("address-conflict");
    assertThat(body.get("hostId").asText()).isEqualTo(liar);
  }

  @Test
  void anEntryAddedLaterFindsAClaimMadeBefore() throws Exception {
    String liar = id();
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.0.25"));
    fleet.importReports();

    try (Storage store = Storage.open(fleet.db())) {
      MtaClaimWatch watch = new MtaClaimWatch(store, () -> trust, alerts::add, CLOCK);
      assertThat(watch.check()).isZero();
      trust.add("10.20.0.25");
      assertThat(watch.check()).isEqualTo(1);
    }

    assertThat(alerts).hasSize(1);
  }

  @Test
  void aClaimThatEndsAndComesBackIsAlertedAgain() throws Exception {
    String liar = id();
    fleet.report(fleet.scan(liar, "lab-pc-66", T0, "10.20.0.25"));
    fleet.importReports();
    trust.add("10.20.0.25");

    try (Storage store = Storage.open(fleet.db())) {
      MtaClaimWatch watch = new MtaClaimWatch(store, () -> trust, alerts::add, CLOCK);
      watch.check();
      trust.clear();
      watch.check();
      trust.add("10.20.0.25");
      watch.check();
    }

    assertThat(alerts).hasSize(2);
  }

  @Test
  void aHostThatNoLongerHoldsTheAddressIsNoLongerAClaim() throws Exception {
    String host = id();
    fleet.report(fleet.scan(host, "lab-pc-66", T0, "10.20.0.25"));
    fleet.report(fleet.scan(host, "lab-pc-66", T0.plus(Duration.ofHours(1)), "10.20.3.66"));
    fleet.importReports();
    trust.add("10.20.0.25");

    try (Storage store = Storage.open(fleet.db())) {
      assertThat(new MtaClaimWatch(store, () -> trust, alerts::add, CLOCK).check()).isZero();
    }

    assertThat(alerts).isEmpty();
  }
}
