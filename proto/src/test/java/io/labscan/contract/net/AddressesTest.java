package io.labscan.contract.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void ipv6IsWrittenInRfc5952Form() {
    assertThat(Addresses.canonical("fd00:0:0:0:0:0:0:2")).contains("fd00::2");
    assertThat(Addresses.canonical("2001:DB8:0:0:1:0:0:1")).contains("2001:db8::1:0:0:1");
    assertThat(Addresses.canonical("fe80:0:0:0:fc:ff:fe00:1%eth0")).contains("fe80::fc:ff:fe00:1");
    assertThat(Addresses.canonical("0:0:0:0:0:0:0:1")).contains("::1");
    assertThat(Addresses.canonical("2001:db8:0:1:1:1:1:1")).contains("2001:db8:0:1:1:1:1:1");
  }

  @Test
  void bracketedAndTaggedLiteralsFromMailHeadersAreAccepted() {
    assertThat(Addresses.canonical("[IPv6:2001:db8::25]")).contains("2001:db8::25");
    assertThat(Addresses.canonical("[192.0.2.7]")).contains("192.0.2.7");
  }

  @Test
  void hostnamesAreNotLookedUp() {
    assertThat(Addresses.canonical("mx.example.org")).isEmpty();
    assertThat(Addresses.canonical("localhost")).isEmpty();
    assertThat(Addresses.canonical("")).isEmpty();
    assertThat(Addresses.canonical("999.1.1.1")).isEmpty();
  }
}
