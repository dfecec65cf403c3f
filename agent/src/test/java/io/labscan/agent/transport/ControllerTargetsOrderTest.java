package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.config.ControllerAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Each agent takes its controllers in an order of its own (issue 20: spread, not a stampede): its
 * home first, stable for the host, uniform over the fleet, and a dead controller's agents spread
 * over the others. Counts over 10,000 host ids drawn from a fixed seed, so the tolerances (about
 * five standard deviations) are checked against the same numbers on every run.
 */
class ControllerTargetsOrderTest {
  private static final String FOUR = "labscan-1.example.edu:7443,labscan-2.example.edu:7443,"
      + "labscan-3.example.edu:7443,labscan-4.example.edu:7443";

  /** 10,000 host ids as the agent makes them (random UUIDs), from a fixed seed. */
  private static List<String> hostIds() {
    Random random = new Random(20_261_207L);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    return ids;
  }

  /** Names dialled by name (the test resolver knows none of them). */
  private static ControllerTargets targets(String controllers) {
    return new ControllerTargets(ControllerAddresses.parse(controllers), host -> {
      throw new UnknownHostException(host);
    });
  }

  private static String home(ControllerTargets targets, String hostId) {
    return targets.forHost(hostId).expand().get(0).authority();
  }

  @Test
  void aHostsOrderIsTheSameOnEveryStart() {
    String host = "7d1f6a0e-2f4b-4c53-9a53-0c1e8f3b6a11";

    List<ControllerTargets.Target> first = targets(FOUR).forHost(host).expand();
    List<ControllerTargets.Target> again = targets(FOUR).forHost(host).expand();

    assertThat(again).isEqualTo(first);
    assertThat(first).extracting(ControllerTargets.Target::authority)
        .containsExactlyInAnyOrderElementsOf(ControllerAddresses.parse(FOUR));
  }

  @Test
  void homesAreSpreadEvenlyOverTheControllers() {
    ControllerTargets targets = targets(FOUR);
    Map<String, Integer> homes = new HashMap<>();

    for (String host : hostIds()) {
      homes.merge(home(targets, host), 1, Integer::sum);
    }

    assertThat(homes).hasSize(4);
    assertThat(homes.values()).allSatisfy(n -> assertThat(n).isBetween(2_500 - 250, 2_500 + 250));
  }

  @Test
  void theAgentsOfADeadControllerSpreadOverTheOthersRatherThanAllMovingToOne() {
    ControllerTargets targets = targets(FOUR);
    Map<String, Integer> next = new HashMap<>();
    AtomicInteger orphans = new AtomicInteger();

    for (String host : hostIds()) {
      List<ControllerTargets.Target> order = targets.forHost(host).expand();
      if (order.get(0).authority().equals("labscan-1.example.edu:7443")) {
        orphans.incrementAndGet();
        next.merge(order.get(1).authority(), 1, Integer::sum);
      }
    }

    assertThat(next).containsOnlyKeys("labscan-2.example.edu:7443", "labscan-3.example.edu:7443",
        "labscan-4.example.edu:7443");
    int third = orphans.get() / 3;
    assertThat(next.values()).allSatisfy(n -> assertThat(n).isBetween(third - 120, third + 120));
  }

  @Test
  void addingAControllerMovesOnlyTheAgentsWhoseHomeItBecomes() {
    ControllerTargets three = targets("labscan-1.example.edu:7443,labscan-2.example.edu:7443,"
        + "labscan-3.example.edu:7443");
    ControllerTargets four = targets(FOUR);
    int moved = 0;

    for (String host : hostIds()) {
      String before = home(three, host);
      String after = home(four, host);
      if (!before.equals(after)) {
        assertThat(after).isEqualTo("labscan-4.example.edu:7443");
        moved++;
      }
    }

    assertThat(moved).isBetween(2_500 - 250, 2_500 + 250);
  }

  @Test
  void theOrderDoesNotDependOnTheOrderTheFileListsTheControllersIn() {
    String host = "0b9e3c2a-51f7-4d0e-8f6c-2a7d9e4b1c35";

    assertThat(targets("a.example.edu:7443,b.example.edu:7443,c.example.edu:7443").forHost(host).expand())
        .isEqualTo(targets("c.example.edu:7443,a.example.edu:7443,b.example.edu:7443").forHost(host).expand());
  }

  @Test
  void aSingleAddressIsOneTargetDialledByNameAsBefore() {
    ControllerTargets one = targets("labscan.example.edu:7443");

    for (String host : hostIds().subList(0, 100)) {
      assertThat(one.forHost(host).expand())
          .containsExactly(new ControllerTargets.Target("labscan.example.edu:7443", Optional.empty()));
    }
  }

  @Test
  void theAddressesOfANameAreSortedWhateverOrderDnsAnswersIn() throws Exception {
    String[][] rotations = {
      {"2001:db8::5", "10.20.0.7", "10.20.0.5", "192.0.2.1"},
      {"192.0.2.1", "2001:db8::5", "10.20.0.5", "10.20.0.7", "10.20.0.5"},
    };
    for (String[] answer : rotations) {
      ControllerTargets targets = new ControllerTargets(List.of("labscan.example.edu:7443"), dns(answer));

      assertThat(targets.expand()).extracting(t -> t.address().orElseThrow().getAddress().getHostAddress())
          .containsExactly("10.20.0.5", "10.20.0.7", "192.0.2.1", "2001:db8:0:0:0:0:0:5");
    }
  }

  @Test
  void hostsAgreeOnTheSpreadOverTheAddressesOfANameWhateverOrderDnsAnswersIn() throws Exception {
    ControllerTargets rotated = new ControllerTargets(List.of("labscan.example.edu:7443"),
        dns("10.20.0.7", "10.20.0.6", "10.20.0.5"));
    ControllerTargets sorted = new ControllerTargets(List.of("labscan.example.edu:7443"),
        dns("10.20.0.5", "10.20.0.6", "10.20.0.7"));
    Map<String, Integer> homes = new HashMap<>();

    for (String host : hostIds()) {
      List<ControllerTargets.Target> order = rotated.forHost(host).expand();
      assertThat(sorted.forHost(host).expand()).isEqualTo(order);
      homes.merge(order.get(0).address().orElseThrow().getAddress().getHostAddress(), 1, Integer::sum);
    }

    assertThat(homes).containsOnlyKeys("10.20.0.5", "10.20.0.6", "10.20.0.7");
    assertThat(homes.values()).allSatisfy(n -> assertThat(n).isBetween(3_333 - 250, 3_333 + 250));
  }

  /** A resolver answering {@code addresses}, in that order, for every name. */
  private static ControllerTargets.Resolver dns(String... addresses) {
    return host -> {
      InetAddress[] out = new InetAddress[addresses.length];
      for (int i = 0; i < addresses.length; i++) {
        out[i] = InetAddress.getByName(addresses[i]);
      }
      return out;
    };
  }
}
