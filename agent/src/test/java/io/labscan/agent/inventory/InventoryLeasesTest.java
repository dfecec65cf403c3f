package io.labscan.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.NetworkInterface;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryLeasesTest {
  @Test
  void anInterfaceCarriesTheLeaseEndOfEachOfItsOwnAddresses() {
    NetworkInterface eth0 = NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17")
        .addIpv6("2001:db8:20:3::17").build();
    Instant end = Instant.parse("2026-12-07T20:11:07Z");

    List<NetworkInterface> out = InventoryCollector.withLeases(List.of(eth0),
        Map.of("10.20.3.17", end, "10.99.99.99", end));

    assertThat(out.get(0).getLeasesList()).hasSize(1);
    assertThat(out.get(0).getLeases(0).getIp()).isEqualTo("10.20.3.17");
    assertThat(Timestamps.toMillis(out.get(0).getLeases(0).getLeaseEnd())).isEqualTo(end.toEpochMilli());
  }
}
