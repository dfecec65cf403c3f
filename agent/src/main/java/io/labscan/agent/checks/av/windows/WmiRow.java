package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One WMI instance. Values are normalised to {@link String}, {@link Boolean} or {@link Long}
 * (every WMI integer type); properties WMI left null are absent.
 */
public final class WmiRow<P extends Enum<P>> {
  private final Map<P, Object> values;

  private WmiRow(Map<P, Object> values) {
    this.values = values;
  }

  /** Normalises the values; those of other types are dropped. */
  public static <P extends Enum<P>> WmiRow<P> of(Class<P> properties, Map<P, ?> raw) {
    requireNonNull(properties, "properties");
    requireNonNull(raw, "raw");
    EnumMap<P, Object> values = new EnumMap<>(properties);
    raw.forEach((property, value) -> {
      Object normalised = normalise(value);
      if (property != null && normalised != null) {
        values.put(property, normalised);
      }
    });
    return new WmiRow<>(Collections.unmodifiableMap(values));
  }

  public Optional<String> string(P property) {
    return get(property, String.class);
  }

  public Optional<Boolean> bool(P property) {
    return get(property, Boolean.class);
  }

  public Optional<Long> number(P property) {
    return get(property, Long.class);
  }

  private <T> Optional<T> get(P property, Class<T> type) {
    Object value = values.get(requireNonNull(property, "property"));
    return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
  }

  private static @Nullable Object normalise(@Nullable Object value) {
    if (value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Byte || value instanceof Short || value instanceof Integer
        || value instanceof Long) {
      return ((Number) value).longValue();
    }
    return null;
  }

  @Override
  public String toString() {
    return "WmiRow" + values;
  }
}
