package io.labscan.agent.checks.av.macos;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A property-list value. */
public sealed interface PlistValue {

  /** {@code <dict>}: keys in document order. */
  record Dict(Map<String, PlistValue> entries) implements PlistValue {
    public Dict {
      entries = Collections.unmodifiableMap(
          new LinkedHashMap<>(requireNonNull(entries, "entries")));
    }

    public Optional<PlistValue> get(String key) {
      return Optional.ofNullable(entries.get(requireNonNull(key, "key")));
    }

    /**
     * A value usable as a version or name: a string, or an integer written in decimal
     * (XProtect's meta plist stores {@code Version} as an integer).
     */
    public Optional<String> text(String key) {
      return get(key).flatMap(v -> {
        if (v instanceof Str s) {
          return Optional.of(s.value());
        }
        if (v instanceof Int i) {
          return Optional.of(Long.toString(i.value()));
        }
        return Optional.empty();
      });
    }
  }

  record Array(List<PlistValue> items) implements PlistValue {
    public Array {
      items = List.copyOf(requireNonNull(items, "items"));
    }
  }

  record Str(String value) implements PlistValue {
    public Str {
      requireNonNull(value, "value");
    }
  }

  record Int(long value) implements PlistValue {}

  record Real(double value) implements PlistValue {}

  record Bool(boolean value) implements PlistValue {}

  record Date(Instant value) implements PlistValue {
    public Date {
      requireNonNull(value, "value");
    }
  }

  record Data(byte[] bytes) implements PlistValue {
    public Data {
      bytes = requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }
}
