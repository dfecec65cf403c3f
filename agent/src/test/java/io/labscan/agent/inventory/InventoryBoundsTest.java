package io.labscan.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An honest host with many interfaces stays within the controller's report limits. */
class InventoryBoundsTest {
  @Test
  void aContainerHostKeepsItsAddressedInterfacesAndDropsBareOnesBeyondTheLimit() {
    List<NetworkInterface> interfaces = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      interfaces.add(NetworkInterface.newBuilder().setName("veth" + i).build());
    }
    interfaces.add(NetworkInterface.newBuilder().setName("eth0").addIpv4("10.20.3.17").addIpv6("2001:db8::17").build());

    List<NetworkInterface> bounded = InventoryCollector.bounded(interfaces);

    assertThat(bounded).hasSize(InventoryCollector.MAX_INTERFACES);
    assertThat(bounded.get(0).getName()).isEqualTo("eth0");
    assertThat(bounded.get(0).getIpv4List()).containsExactly("10.20.3.17");
  }

  @Test
  void addressesBeyondTheLimitAreLeftOut() {
    NetworkInterface.Builder many = NetworkInterface.newBuilder().setName("eth0");
    for (int i = 0; i < 300; i++) {
      many.addIpv4("10.20." + (i / 200) + "." + (1 + i % 200));
    }
    NetworkInterface second = NetworkInterface.newBuilder().setName("eth1").addIpv6("2001:db8::1").build();

    List<NetworkInterface> bounded = InventoryCollector.bounded(List.of(many.build(), second));

    assertThat(bounded.get(0).getIpv4Count()).isEqualTo(InventoryCollector.MAX_ADDRESSES);
    assertThat(bounded.get(1).getIpv6Count()).isZero();
  }

  @Test
  void anIpv4MappedAddressListedAmongIpv6AddressesIsReportedOnceAsIpv4() {
    NetworkInterface.Builder b = NetworkInterface.newBuilder().setName("eth0");

    InventoryCollector.addAddresses(b, new String[] {"10.20.3.17"},
        new String[] {"::ffff:10.20.3.17", "fe80::1%eth0", "2001:db8::17", "::ffff:10.20.3.99"});

    assertThat(b.getIpv4List()).containsExactly("10.20.3.17", "10.20.3.99");
    assertThat(b.getIpv6List()).containsExactly("fe80::1", "2001:db8::17");
  }
}
