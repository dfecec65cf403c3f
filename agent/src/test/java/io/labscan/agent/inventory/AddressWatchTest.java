package io.labscan.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AddressWatchTest {
  private final AtomicReference<Set<String>> current = new AtomicReference<>(Set.of("10.20.3.7"));
  private final AddressWatch watch = new AddressWatch(current::get, Duration.ofSeconds(15));

  @Test
  void theFirstLookReportsTheAddresses() {
    assertThat(watch.changed()).contains(Set.of("10.20.3.7"));
  }

  @Test
  void addressesAlreadyReportedAreNotReportedAgain() {
    watch.reported(watch.changed().orElseThrow());

    assertThat(watch.changed()).isEmpty();
  }

  @Test
  void aRenumberedHostReportsItsNewAddresses() {
    watch.reported(watch.changed().orElseThrow());

    current.set(Set.of("10.20.3.71"));

    assertThat(watch.changed()).contains(Set.of("10.20.3.71"));
  }

  @Test
  void aChangeNotYetReportedIsOfferedAgainAtTheNextLook() {
    watch.reported(watch.changed().orElseThrow());
    current.set(Set.of("10.20.3.71"));
    watch.changed();

    assertThat(watch.changed()).contains(Set.of("10.20.3.71"));
  }

  @Test
  void onlyTheLookBeforeTheFirstReportIsTheFirstLook() {
    assertThat(watch.isFirstLook()).isTrue();

    watch.reported(watch.changed().orElseThrow());

    assertThat(watch.isFirstLook()).isFalse();
  }

  @Test
  void interfacesThatCannotBeReadReportNothing() {
    AddressWatch broken = new AddressWatch(() -> {
      throw new IllegalStateException("cannot list network interfaces");
    }, Duration.ofSeconds(15));

    assertThat(broken.changed()).isEmpty();
  }

  @Test
  void thisMachinesAddressesLeaveOutLoopbackAndLinkLocal() {
    assertThat(AddressWatch.interfaceAddresses())
        .noneMatch(a -> a.startsWith("127.") || a.equals("::1") || a.startsWith("fe80:"));
  }
}
