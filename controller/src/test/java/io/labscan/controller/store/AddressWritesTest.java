package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: storing a report's n addresses costs O(n) statements, each answered through an
 * index; none walks the host's other addresses (that was O(n²) rows on the single writer).
 */
class AddressWritesTest {
  @TempDir Path dir;
  private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");

  @Test
  void extendingAnAddressIntervalFindsItsRowThroughTheCurrentAddressIndex() throws Exception {
    assertThat(plan(SqlReports.extendAddress(Dialect.SQLITE))).contains("USING INDEX host_addresses_current (host_id=? AND ip=?)");
  }

  @Test
  void closingAnAddressIntervalFindsItsRowThroughTheCurrentAddressIndex() throws Exception {
    assertThat(plan(SqlReports.CLOSE_ADDRESS)).contains("USING INDEX host_addresses_current (host_id=? AND ip=?)");
  }

  @Test
  void aHostsAddressesAreFoundByIpWithoutScanningTheTable() throws Exception {
    assertThat(plan("SELECT host_id FROM host_addresses WHERE ip = ? AND is_current = 1"))
        .contains("host_addresses_by_ip").doesNotContain("SCAN host_addresses");
  }

  @Test
  void aHostsAddressConflictsAreFoundThroughIndexesOnly() throws Exception {
    String plan = plan(SqlVerdicts.conflictsOfHost(Dialect.SQLITE));
    assertThat(plan).contains("host_addresses_current").contains("host_addresses_by_ip")
        .doesNotContain("SCAN b").doesNotContain("SCAN host_addresses");
  }

  @Test
  void theSweepFindsHostsWithConflictsProbingTheAddressIndexPerCurrentAddress() throws Exception {
    String plan = plan(SqlVerdicts.hostsWithConflicts());
    assertThat(plan).contains("SEARCH b USING INDEX host_addresses_by_ip");
  }

  @Test
  void reportingTheSameManyAddressesAgainExtendsEachIntervalOnce() throws Exception {
    String hostId = TestReports.newHostId();
    List<String> ips = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      ips.add("10.20." + (i / 200) + "." + (1 + i % 200));
    }
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      store.ingest(withAddresses(hostId, T0, 1, ips), T0, "t").join();
      store.ingest(withAddresses(hostId, T0.plusSeconds(60), 2, ips), T0.plusSeconds(60), "t").join();
      List<String> moved = new ArrayList<>(ips.subList(1, ips.size()));
      moved.add("10.20.9.9");
      store.ingest(withAddresses(hostId, T0.plusSeconds(120), 3, moved), T0.plusSeconds(120), "t").join();

      List<AddressInterval> history = store.addressHistory(hostId);
      assertThat(history).hasSize(257);
      assertThat(history).filteredOn(AddressInterval::current).hasSize(256);
      assertThat(history).filteredOn(a -> a.ip().equals(ips.get(0))).singleElement()
          .satisfies(a -> assertThat(a.current()).isFalse());
      assertThat(history).filteredOn(a -> a.ip().equals(ips.get(5))).singleElement()
          .satisfies(a -> assertThat(a.lastSeen()).isEqualTo(T0.plusSeconds(120)));
    }
  }

  private static Report withAddresses(String hostId, Instant at, long sequence, List<String> ips) {
    Report r = TestReports.fullScan(hostId, "lab-srv-01", at, sequence);
    return r.toBuilder().setInventory(r.getInventory().toBuilder().clearInterfaces()
        .addInterfaces(NetworkInterface.newBuilder().setName("eth0").setMac("00:0c:29:3e:1a:07").addAllIpv4(ips)))
        .build();
  }

  private String plan(String sql) throws Exception {
    Storage.open(dir.resolve("plan.db")).close();
    StringBuilder sb = new StringBuilder();
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("plan.db"));
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql.replace("?", "'x'"))) {
      while (rs.next()) {
        sb.append(rs.getString("detail")).append('\n');
      }
    }
    return sb.toString().replace("'x'", "?");
  }
}
