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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * Microsoft Defender Antivirus (and its predecessors System Center Endpoint Protection /
 * Microsoft Security Essentials), live Windows only.
 *
 * <p>Two sources: the registry key {@code Signature Updates} (signature date and versions)
 * and WMI {@code MSFT_MpComputerStatus} (the same facts plus whether protection is on).
 * When both give a signature date the older one is judged, because a disagreement is itself
 * suspicious on a machine a worm may have tampered with, and the reason says so. Protection
 * switched off (antivirus or real-time protection) makes the status DISABLED whatever the age.
 */
public final class DefenderProvider implements AvProvider {
  public static final String NAME = "defender";

  static final String DEFENDER_KEY = "SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates";
  static final String ANTIMALWARE_KEY =
      "SOFTWARE\\Microsoft\\Microsoft Antimalware\\Signature Updates";
  static final String WMI_NAMESPACE = "ROOT\\Microsoft\\Windows\\Defender";
  static final String WMI_CLASS = "MSFT_MpComputerStatus";
  static final String WMI_SOURCE = "WMI " + WMI_NAMESPACE + " " + WMI_CLASS;

  /** Signature dates further apart than this count as a disagreement between the sources. */
  static final Duration DISAGREEMENT = Duration.ofHours(1);

  /** MSFT_MpComputerStatus properties; the constant names are the WMI names. */
  public enum MpStatus {
    AntivirusSignatureLastUpdated,
    AntivirusSignatureVersion,
    AMEngineVersion,
    AntivirusEnabled,
    RealTimeProtectionEnabled
  }

  private final RegistryReader registry;
  private final WmiReader wmi;

  public DefenderProvider(RegistryReader registry, WmiReader wmi) {
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
    List<String> notes = new ArrayList<>();
    Optional<RegistryFacts> registryFacts = readRegistry(notes);
    Optional<WmiFacts> wmiFacts = Optional.empty();
    Optional<String> wmiProblem = Optional.empty();
    try {
      wmiFacts = wmi.query(WMI_NAMESPACE, WMI_CLASS, MpStatus.class).stream()
          .findFirst()
          .map(WmiFacts::of);
    } catch (WmiReadException e) {
      if (e.kind() == WmiReadException.Kind.FAILED) {
        wmiProblem = Optional.of(WMI_SOURCE + " unavailable ("
            + AvText.clean(String.valueOf(e.getMessage()), 160) + ")");
      }
    }
    if (registryFacts.isEmpty() && wmiFacts.isEmpty()) {
      wmiProblem.ifPresent(notes::add);
      return notes.isEmpty()
          ? AvDetection.none()
          : AvDetection.problem("Microsoft Defender: " + String.join("; ", notes));
    }
    wmiProblem.ifPresent(p -> notes.add(p + ", so whether protection is on was not checked"));
    return AvDetection.of(status(registryFacts, wmiFacts, notes, context));
  }

  private Optional<RegistryFacts> readRegistry(List<String> notes) {
    Optional<RegistryFacts> fallback = Optional.empty();
    for (String path : List.of(DEFENDER_KEY, ANTIMALWARE_KEY)) {
      try {
        Optional<RegistryFacts> facts = LocalMachineKeys.read(registry, path).map(RegistryFacts::of);
        if (facts.isPresent() && facts.get().updated().isPresent()) {
          return facts;
        }
        if (fallback.isEmpty()) {
          fallback = facts;
        }
      } catch (RegistryReadException e) {
        notes.add("HKLM\\" + path + " unreadable: "
            + AvText.clean(Objects.requireNonNullElse(e.getMessage(), "no detail"), 160));
      }
    }
    return fallback;
  }

  private static AvStatus status(Optional<RegistryFacts> reg, Optional<WmiFacts> wmi,
      List<String> notes, AvContext context) {
    AvStatus.Builder status = AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(reg.map(RegistryFacts::product).orElse(RegistryFacts.DEFENDER_PRODUCT));
    List<String> sources = new ArrayList<>();
    reg.ifPresent(r -> sources.add(r.key()));
    wmi.ifPresent(w -> sources.add(WMI_SOURCE));
    status.setSource(String.join("; ", sources));
    firstPresent(reg.flatMap(RegistryFacts::engineVersion),
        wmi.flatMap(WmiFacts::engineVersion)).ifPresent(status::setEngineVersion);
    firstPresent(reg.flatMap(RegistryFacts::signatureVersion),
        wmi.flatMap(WmiFacts::signatureVersion)).ifPresent(status::setDefinitionsVersion);

    Optional<Instant> regTime = reg.flatMap(RegistryFacts::updated);
    Optional<Instant> wmiTime = wmi.flatMap(WmiFacts::updated);
    reg.flatMap(RegistryFacts::problem).ifPresent(notes::add);
    if (regTime.isPresent() && wmiTime.isPresent()
        && Duration.between(regTime.get(), wmiTime.get()).abs().compareTo(DISAGREEMENT) > 0) {
      notes.add("the sources disagree: registry says signatures updated "
          + AvText.instant(regTime.get()) + ", WMI says " + AvText.instant(wmiTime.get())
          + "; the older date is used");
    }
    Optional<String> regVersion = reg.flatMap(RegistryFacts::signatureVersion);
    Optional<String> wmiVersion = wmi.flatMap(WmiFacts::signatureVersion);
    if (regVersion.isPresent() && wmiVersion.isPresent()
        && !regVersion.get().equals(wmiVersion.get())) {
      notes.add("the sources disagree on the signature version: registry "
          + AvText.quote(regVersion.get()) + ", WMI " + AvText.quote(wmiVersion.get()));
    }

    Optional<Instant> judged = regTime.isPresent() && wmiTime.isPresent()
        ? Optional.of(regTime.get().isBefore(wmiTime.get()) ? regTime.get() : wmiTime.get())
        : firstPresent(regTime, wmiTime);
    String reason;
    if (judged.isPresent()) {
      Freshness freshness = Freshness.assess(
          "signatures updated " + AvText.instant(judged.get()), judged.get(), context);
      freshness.applyTo(status);
      reason = freshness.reason();
    } else {
      status.setState(AvState.AV_STATE_UNKNOWN);
      reason = "no signature date: neither SignaturesLastUpdated in the registry nor "
          + "AntivirusSignatureLastUpdated in WMI could be read";
    }
    Optional<String> off = wmi.flatMap(WmiFacts::switchedOff);
    if (off.isPresent()) {
      status.setState(AvState.AV_STATE_DISABLED);
      reason = off.get() + "; " + reason;
    }
    if (!notes.isEmpty()) {
      reason = reason + "; " + String.join("; ", notes);
    }
    return status.setReason(reason).build();
  }

  @SafeVarargs
  private static <T> Optional<T> firstPresent(Optional<T>... options) {
    for (Optional<T> option : options) {
      if (option.isPresent()) {
        return option;
      }
    }
    return Optional.empty();
  }

  /** What one {@code Signature Updates} key says. */
  private record RegistryFacts(String key, String product, Optional<String> signatureVersion,
      Optional<String> engineVersion, Optional<Instant> updated, Optional<String> problem) {
    static final String DEFENDER_PRODUCT = "Microsoft Defender Antivirus";
    static final String ANTIMALWARE_PRODUCT = "Microsoft Antimalware";

    static RegistryFacts of(RegistryKey key) {
      String product = key.path().equals(ANTIMALWARE_KEY)
          ? ANTIMALWARE_PRODUCT : DEFENDER_PRODUCT;
      Optional<String> problem = Optional.empty();
      Optional<Instant> updated = Optional.empty();
      for (String name : List.of("SignaturesLastUpdated", "AVSignatureApplied")) {
        Optional<RegistryValue> value = key.value(name);
        if (value.isEmpty()) {
          continue;
        }
        if (value.get() instanceof RegistryValue.Binary binary
            && FileTime.fromLittleEndian(binary.value()).isPresent()) {
          updated = FileTime.fromLittleEndian(binary.value());
          problem = Optional.empty();
          break;
        }
        if (problem.isEmpty()) {
          problem = Optional.of(key.displayName() + "\\" + name
              + " is not an 8-byte FILETIME");
        }
      }
      return new RegistryFacts(key.displayName(), product, text(key, "AVSignatureVersion"),
          text(key, "EngineVersion"), updated, problem);
    }

    private static Optional<String> text(RegistryKey key, String name) {
      return key.value(name)
          .filter(RegistryValue.Text.class::isInstance)
          .map(v -> AvText.clean(((RegistryValue.Text) v).value(), 64))
          .filter(s -> !s.isBlank());
    }
  }

  /** What MSFT_MpComputerStatus says. */
  private record WmiFacts(Optional<Instant> updated, Optional<String> signatureVersion,
      Optional<String> engineVersion, Optional<Boolean> antivirusEnabled,
      Optional<Boolean> realTimeEnabled) {

    static WmiFacts of(WmiRow<MpStatus> row) {
      return new WmiFacts(
          row.string(MpStatus.AntivirusSignatureLastUpdated).flatMap(CimDateTime::parse),
          row.string(MpStatus.AntivirusSignatureVersion).map(s -> AvText.clean(s, 64))
              .filter(s -> !s.isBlank()),
          row.string(MpStatus.AMEngineVersion).map(s -> AvText.clean(s, 64))
              .filter(s -> !s.isBlank()),
          row.bool(MpStatus.AntivirusEnabled),
          row.bool(MpStatus.RealTimeProtectionEnabled));
    }

    Optional<String> switchedOff() {
      if (antivirusEnabled.equals(Optional.of(false))) {
        return Optional.of("antivirus is switched off (AntivirusEnabled=false)");
      }
      if (realTimeEnabled.equals(Optional.of(false))) {
        return Optional.of("real-time protection is off (RealTimeProtectionEnabled=false)");
      }
      return Optional.empty();
    }
  }
}
