package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class NftablesRulesTest {
  @Test
  void rulesetLogsTheSynOfEveryConnectionToTheWatchedPortsWithTheUid() {
    String text = NftablesRules.forPorts(Set.of(587, 25, 465)).rulesetText();

    assertThat(text).contains("table inet labscan {")
        .contains("type filter hook output priority 0; policy accept;")
        .contains("tcp dport { 25, 465, 587 } tcp flags & (fin | syn | rst | ack) == syn")
        .containsPattern("log prefix \"labscan-smtp(-\\d+)? \" level debug flags skuid");
  }

  @Test
  void logPrefixNamesTheNetworkNamespaceSoAgentsInOtherNamespacesIgnoreTheLines() {
    assertThat(NftablesRules.logPrefixFor(Optional.of("net:[4026531840]"))).isEqualTo("labscan-smtp-4026531840 ");
    assertThat(NftablesRules.logPrefixFor(Optional.of("net:[4026532301]")))
        .isNotEqualTo(NftablesRules.logPrefixFor(Optional.of("net:[4026531840]")));
  }

  @Test
  void logPrefixFallsBackToTheFixedOneWhenTheNamespaceCannotBeNamed() {
    assertThat(NftablesRules.logPrefixFor(Optional.empty())).isEqualTo(NftablesRules.DEFAULT_LOG_PREFIX);
    assertThat(NftablesRules.logPrefixFor(Optional.of("net:[x\" drop]"))).isEqualTo(NftablesRules.DEFAULT_LOG_PREFIX);
  }

  @Test
  void aLineLoggedForAnotherNamespaceIsNotReadAsThisHostsConnection() {
    String mine = NftablesRules.logPrefixFor(Optional.of("net:[4026531840]"));
    String theirs = NftablesRules.logPrefixFor(Optional.of("net:[40265318]"));
    String line = "4,9,100,-;" + theirs + "IN= OUT=eth0 SRC=10.0.0.7 DST=192.0.2.25 PROTO=TCP SPT=40000 DPT=25 UID=0";

    assertThat(NftLogParser.parseKmsgRecord(line, mine, Instant.EPOCH, uid -> "root")).isEmpty();
    assertThat(NftLogParser.parseKmsgRecord(line, theirs, Instant.EPOCH, uid -> "root")).isPresent();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void agentTableOnLinuxLogsWithThePrefixOfItsOwnNamespace() throws Exception {
    String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();

    assertThat(NftablesRules.forPorts(Set.of(25)).logPrefix())
        .isEqualTo(NftablesRules.logPrefixFor(Optional.of(link)))
        .isNotEqualTo(NftablesRules.DEFAULT_LOG_PREFIX);
  }

  @Test
  void rulesetNeverDropsOrRejects() {
    String text = NftablesRules.forPorts(Set.of(25)).rulesetText();

    assertThat(text).doesNotContain("drop").doesNotContain("reject");
  }

  @Test
  void installReplacesAnOldTableInOneTransaction() {
    String text = NftablesRules.forPorts(Set.of(25)).rulesetText();

    assertThat(text).startsWith("table inet labscan\ndelete table inet labscan\ntable inet labscan {");
  }

  @Test
  void removalSucceedsEvenWhenTheTableIsGone() {
    // declaring the table first makes the delete valid whether or not it existed
    assertThat(NftablesRules.removalText("labscan")).isEqualTo("table inet labscan\ndelete table inet labscan\n");
  }

  @Test
  void namesThatCouldInjectRulesAreRefused() {
    assertThatThrownBy(() -> new NftablesRules(List.of(), "x; flush ruleset", "p ", Set.of(25)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftablesRules(List.of(), "labscan", "p\" drop #", Set.of(25)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftablesRules(List.of(), "labscan", "p ", Set.of(0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
