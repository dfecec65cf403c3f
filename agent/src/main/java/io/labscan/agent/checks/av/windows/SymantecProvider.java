package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.registry.RegistryValue;
import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.agent.checks.av.AvProvider;
import io.labscan.agent.checks.av.AvText;
import io.labscan.agent.checks.av.Freshness;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Objects;

/**
 * Symantec Endpoint Protection, live Windows only: the definitions date from the registry
 * ({@code UsingPattern}, 64-bit key first, then the 32-bit {@code WOW6432Node} one), and the
 * on/off state from the product's Security Center entry, when there is one.
 *
 * <p>The definitions date has no time of day; it is taken as midnight UTC, so the age may be
 * off by up to a day in either direction.
 */
public final class SymantecProvider implements AvProvider {
  public static final String NAME = "symantec";
  static final String PRODUCT = "Symantec Endpoint Protection";
  static final List<String> KEYS = List.of(
      "SOFTWARE\\Symantec\\Symantec Endpoint Protection\\AV",
      "SOFTWARE\\WOW6432Node\\Symantec\\Symantec Endpoint Protection\\AV");
  static final String VALUE = "UsingPattern";

  private final RegistryReader registry;
  private final WmiReader wmi;

  public SymantecProvider(RegistryReader registry, WmiReader wmi) {
    this.registry = requireNonNull(registry, "registry");
    this.wmi = requireNonNull(wmi, "wmi");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AvDetection detect(AvContext context) {
    requireNonNull(context, "context");
    List<String> problems = new ArrayList<>();
    Optional<RegistryKey> found = Optional.empty();
    for (String path : KEYS) {
      try {
        Optional<RegistryKey> key = LocalMachineKeys.read(registry, path);
        if (key.isPresent() && (found.isEmpty() || key.get().value(VALUE).isPresent())) {
          found = key;
        }
        if (key.isPresent() && key.get().value(VALUE).isPresent()) {
          break;
        }
      } catch (RegistryReadException e) {
        problems.add("HKLM\\" + path + " unreadable: "
            + AvText.clean(Objects.requireNonNullElse(e.getMessage(), "no detail"), 160));
      }
    }
    if (found.isEmpty()) {
      return problems.isEmpty()
          ? AvDetection.none() : AvDetection.problem(PRODUCT + ": " + String.join("; ", problems));
    }
    RegistryKey key = found.get();
    AvStatus.Builder status = AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(PRODUCT)
        .setSource(key.displayName() + "\\" + VALUE);
    Optional<Long> raw = key.value(VALUE).flatMap(SymantecProvider::number);
    Optional<UsingPattern> pattern = raw.flatMap(UsingPattern::decode);
    String reason;
    if (raw.isEmpty()) {
      status.setState(AvState.AV_STATE_UNKNOWN);
      reason = key.value(VALUE).isEmpty()
          ? "the key has no " + VALUE + " value"
          : VALUE + " is not a DWORD";
    } else if (pattern.isEmpty()) {
      status.setState(AvState.AV_STATE_UNKNOWN);
      reason = String.format(Locale.ROOT, "%s 0x%08X does not hold a valid date", VALUE,
          raw.get());
    } else {
      status.setDefinitionsVersion(pattern.get().version());
      Freshness freshness = Freshness.assess(
          "definitions " + pattern.get().version() + " dated " + pattern.get().date(),
          pattern.get().date().atStartOfDay(ZoneOffset.UTC).toInstant(), context);
      freshness.applyTo(status);
      reason = freshness.reason();
    }
    Optional<String> off = switchedOff(problems);
    if (off.isPresent()) {
      status.setState(AvState.AV_STATE_DISABLED);
      reason = off.get() + "; " + reason;
    }
    if (!problems.isEmpty()) {
      reason = reason + "; " + String.join("; ", problems);
    }
    return AvDetection.of(status.setReason(reason).build());
  }

  /** Off, snoozed or expired according to Security Center, when it lists the product. */
  private Optional<String> switchedOff(List<String> problems) {
    try {
      for (SecurityCenterProduct product : SecurityCenterProduct.readAll(wmi)) {
        if (product.isSymantecEndpointProtection() && product.state().isPresent()) {
          SecurityCenterState state = product.state().get();
          if (state.protection() != SecurityCenterState.Protection.ON) {
            return Optional.of("Security Center " + state.describe() + ": protection "
                + state.protection().word());
          }
        }
      }
    } catch (WmiReadException e) {
      if (e.kind() == WmiReadException.Kind.FAILED) {
        problems.add(SecurityCenterProduct.SOURCE + " unavailable ("
            + AvText.clean(String.valueOf(e.getMessage()), 160)
            + "), so whether protection is on was not checked");
      }
    }
    return Optional.empty();
  }

  private static Optional<Long> number(RegistryValue value) {
    if (value instanceof RegistryValue.DWord dword) {
      return Optional.of(dword.value());
    }
    return Optional.empty();
  }
}
