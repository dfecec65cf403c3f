package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.agent.checks.av.AvProvider;
import io.labscan.agent.checks.av.AvText;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Third-party antivirus products as registered with Windows Security Center (client Windows
 * only; Windows Server has no Security Center and reports nothing here).
 *
 * <p>Security Center knows whether a product is on and whether the product considers its own
 * definitions current, not their date: so the age limit of the policy does not apply, and the
 * reason says whose judgement it is.
 *
 * <p>To report each product once, entries for products with their own provider are left out
 * when that provider already reported: Microsoft Defender ({@link DefenderProvider}, which
 * reads dates and the on/off state itself) and Symantec Endpoint Protection
 * ({@link SymantecProvider}, which looks up this provider's entry for the on/off state). The
 * factory runs those providers first.
 */
public final class SecurityCenterProvider implements AvProvider {
  public static final String NAME = "securitycenter";

  private final WmiReader wmi;

  public SecurityCenterProvider(WmiReader wmi) {
    this.wmi = requireNonNull(wmi, "wmi");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AvDetection detect(AvContext context) {
    requireNonNull(context, "context");
    List<SecurityCenterProduct> products;
    try {
      products = SecurityCenterProduct.readAll(wmi);
    } catch (WmiReadException e) {
      return e.kind() == WmiReadException.Kind.NOT_PRESENT
          ? AvDetection.none()
          : AvDetection.problem(SecurityCenterProduct.SOURCE + " could not be read: "
              + AvText.clean(String.valueOf(e.getMessage()), 160));
    }
    boolean defenderReported = context.reportedBy(DefenderProvider.NAME);
    boolean symantecReported = context.reportedBy(SymantecProvider.NAME);
    List<AvStatus> statuses = new ArrayList<>();
    for (SecurityCenterProduct product : products) {
      if ((defenderReported && product.isMicrosoftDefender())
          || (symantecReported && product.isSymantecEndpointProtection())) {
        continue;
      }
      statuses.add(status(product));
    }
    return AvDetection.of(statuses);
  }

  static AvStatus status(SecurityCenterProduct product) {
    AvStatus.Builder status = AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(product.displayName().isEmpty() ? "(unnamed product)" : product.displayName())
        .setSource(SecurityCenterProduct.SOURCE
            + (product.productExe().isEmpty() ? "" : " (" + product.productExe() + ")"));
    String reported = product.reportedAt()
        .map(t -> "; state last reported " + AvText.instant(t))
        .orElse("");
    if (product.state().isEmpty()) {
      return status.setState(AvState.AV_STATE_UNKNOWN)
          .setReason("Security Center gives no productState for this product" + reported)
          .build();
    }
    SecurityCenterState state = product.state().get();
    String says = "Security Center " + state.describe() + ": ";
    switch (state.protection()) {
      case OFF, SNOOZED, EXPIRED -> status.setState(AvState.AV_STATE_DISABLED)
          .setReason(says + "protection " + state.protection().word()
              + definitionsClause(state) + reported);
      case ON -> {
        switch (state.definitions()) {
          case UP_TO_DATE -> status.setState(AvState.AV_STATE_FRESH)
              .setReason(says + "on, definitions up to date by the product's own judgement"
                  + " (its age is not known to Windows)" + reported);
          case OUT_OF_DATE -> status.setState(AvState.AV_STATE_STALE)
              .setReason(says + "on, definitions out of date by the product's own judgement"
                  + reported);
          default -> status.setState(AvState.AV_STATE_UNKNOWN)
              .setReason(says + "on, definitions state not recognised" + reported);
        }
      }
      default -> status.setState(AvState.AV_STATE_UNKNOWN)
          .setReason(says + "protection state not recognised" + reported);
    }
    return status.build();
  }

  private static String definitionsClause(SecurityCenterState state) {
    return switch (state.definitions()) {
      case UP_TO_DATE -> ", definitions up to date";
      case OUT_OF_DATE -> ", definitions out of date";
      case UNRECOGNISED -> "";
    };
  }
}
