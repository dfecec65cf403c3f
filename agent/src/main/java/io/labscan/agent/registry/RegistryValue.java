package io.labscan.agent.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One registry value, by type. Only the types the providers read are distinguished. */
public sealed interface RegistryValue {

  /** REG_SZ or REG_EXPAND_SZ (unexpanded). */
  record Text(String value) implements RegistryValue {
    public Text {
      requireNonNull(value, "value");
    }
  }

  /** REG_DWORD, as the unsigned 32-bit value it holds. */
  record DWord(long value) implements RegistryValue {
    public DWord {
      if (value < 0 || value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("not a DWORD: " + value);
      }
    }

    public static DWord of(int raw) {
      return new DWord(Integer.toUnsignedLong(raw));
    }
  }

  /** REG_QWORD. */
  record QWord(long value) implements RegistryValue {}

  /** REG_BINARY (and REG_NONE). */
  record Binary(byte[] value) implements RegistryValue {
    public Binary {
      value = requireNonNull(value, "value").clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }
  }

  /** REG_MULTI_SZ. */
  record MultiText(List<String> values) implements RegistryValue {
    public MultiText {
      values = List.copyOf(requireNonNull(values, "values"));
    }
  }
}
