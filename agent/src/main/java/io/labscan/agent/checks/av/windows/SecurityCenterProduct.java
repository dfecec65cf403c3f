package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.av.AvText;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code AntiVirusProduct} instance of {@code ROOT\SecurityCenter2}: what the product
 * itself told Windows. Every text is untrusted (any installed program may register).
 *
 * @param displayName product name, cleaned
 * @param state decoded productState, empty when WMI gave none
 * @param productExe pathToSignedProductExe, cleaned (Defender's is {@code windowsdefender://})
 * @param reportedAt the {@code timestamp} property: when the product last reported its state
 */
public record SecurityCenterProduct(String displayName, Optional<SecurityCenterState> state,
    String productExe, Optional<Instant> reportedAt) {
  public static final String NAMESPACE = "ROOT\\SecurityCenter2";
  public static final String WMI_CLASS = "AntiVirusProduct";
  public static final String SOURCE = "WMI " + NAMESPACE + " " + WMI_CLASS;

  /** AntiVirusProduct properties; the constant names are the WMI names. */
  public enum Property { displayName, productState, pathToSignedProductExe, timestamp }

  public SecurityCenterProduct {
    requireNonNull(displayName, "displayName");
    requireNonNull(state, "state");
    requireNonNull(productExe, "productExe");
    requireNonNull(reportedAt, "reportedAt");
  }

  /** Every registered antivirus product. */
  public static List<SecurityCenterProduct> readAll(WmiReader wmi) throws WmiReadException {
    requireNonNull(wmi, "wmi");
    return wmi.query(NAMESPACE, WMI_CLASS, Property.class).stream()
        .map(SecurityCenterProduct::of)
        .toList();
  }

  static SecurityCenterProduct of(WmiRow<Property> row) {
    return new SecurityCenterProduct(
        AvText.clean(row.string(Property.displayName).orElse("").strip(), 120),
        row.number(Property.productState).map(SecurityCenterState::decode),
        AvText.clean(row.string(Property.pathToSignedProductExe).orElse(""), 260),
        row.string(Property.timestamp).flatMap(SecurityCenterProduct::parseTimestamp));
  }

  /** Microsoft Defender's own entry. */
  public boolean isMicrosoftDefender() {
    String name = displayName.toLowerCase(Locale.ROOT);
    return productExe.toLowerCase(Locale.ROOT).startsWith("windowsdefender:")
        || name.startsWith("windows defender") || name.startsWith("microsoft defender");
  }

  /** Symantec Endpoint Protection's entry. */
  public boolean isSymantecEndpointProtection() {
    return displayName.toLowerCase(Locale.ROOT).startsWith("symantec endpoint protection");
  }

  /** The timestamp is RFC 1123 text, e.g. {@code Fri, 27 Nov 2026 08:00:00 GMT}. */
  static Optional<Instant> parseTimestamp(String text) {
    try {
      return Optional.of(
          ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
