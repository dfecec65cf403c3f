package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustConfigTest {

  @Test
  void ipv4AndIpv6NetworksMatchTheirMembersOnly() {
    TrustConfig t = TrustConfig.of(List.of("198.51.100.0/24", "2001:db8:25::/48", "192.0.2.7"));

    assertThat(t.entryForIp("198.51.100.200")).contains("198.51.100.0/24");
    assertThat(t.entryForIp("198.51.101.1")).isEmpty();
    assertThat(t.entryForIp("2001:db8:25:ffff::1")).contains("2001:db8:25::/48");
    assertThat(t.entryForIp("2001:db8:26::1")).isEmpty();
    assertThat(t.entryForIp("192.0.2.7")).contains("192.0.2.7");
    assertThat(t.entryForIp("192.0.2.8")).isEmpty();
  }

  @Test
  void ipv4MappedIpv6AddressMatchesItsIpv4Network() {
    TrustConfig t = TrustConfig.of(List.of("198.51.100.0/24"));

    assertThat(t.entryForIp("::ffff:198.51.100.9")).isPresent();
  }

  @Test
  void exactNameMatchesOnlyItselfAndWildcardOnlyNamesBelow() {
    TrustConfig t = TrustConfig.of(List.of("relay.example.edu", "*.lab.example.edu"));

    assertThat(t.entryForHost("RELAY.example.edu.")).contains("relay.example.edu");
    assertThat(t.entryForHost("x.relay.example.edu")).isEmpty();
    assertThat(t.entryForHost("mx1.lab.example.edu")).contains("*.lab.example.edu");
    assertThat(t.entryForHost("lab.example.edu")).isEmpty();
    assertThat(t.entryForHost("evil-lab.example.edu")).isEmpty();
  }

  @Test
  void malformedEntryIsRejectedNamingIt() {
    assertThatThrownBy(() -> TrustConfig.of(List.of("198.51.100.0/33")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("198.51.100.0/33");
    assertThatThrownBy(() -> TrustConfig.of(List.of("999.1.1.1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999.1.1.1");
    assertThatThrownBy(() -> TrustConfig.of(List.of("not a host")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a host");
  }

  @Test
  void noneHasNoEntriesButTheBuiltInProviders() {
    TrustConfig t = TrustConfig.none();

    assertThat(t.isEmpty()).isTrue();
    assertThat(t.providers().names()).contains("google", "microsoft", "yahoo", "fastmail", "proton", "icloud", "zoho");
  }

  @Test
  void providerFileIsParsedAndAddedToTheBuiltInList() throws Exception {
    MailProviders extra = MailProviders.parse(new StringReader("""
        # our own outsourced mail
        campusmail   campusmail.example  203.0.113.128/25
        """), "extra.txt");
    MailProviders all = MailProviders.builtIn().with(extra);

    assertThat(all.names()).contains("google", "campusmail");
  }

  @Test
  void providerFileErrorNamesTheLine() {
    assertThatThrownBy(() -> MailProviders.parse(new StringReader("ok example.com\nbad 10.0.0.0/99\n"), "p.txt"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p.txt:2");
  }

  @Test
  void writerOnlyRangeIdentifiesTheProvidersMtasButNeverAClient() {
    MailProviders.Provider google = MailProviders.builtIn().writerOf(
        ReceivedParser.parse("by 2002:a05:6a10:a184:b0:5a8:4b1c:c9d0 with SMTP id x; Mon, 15 Jan 2024 10:00:00 +0000"))
        .orElseThrow();

    assertThat(google.name()).isEqualTo("google");
    assertThat(google.ownsIp("2002:a05:6a10::1")).isFalse();
    assertThat(google.ownsHost("mx.google.com")).isTrue();
    assertThat(google.ownsHost("google.com.evil.example")).isFalse();
  }
}
