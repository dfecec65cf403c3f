package io.labscan.agent.checks.av.windows;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WMI answering with recorded instances, property values given by WMI name as WbemcliUtil
 * returns them (String, Boolean, Integer). Classes not recorded do not exist.
 */
public final class RecordedWmi implements WmiReader {
  private final Map<String, List<Map<String, Object>>> instances = new HashMap<>();
  private final Map<String, WmiReadException> failures = new HashMap<>();

  public RecordedWmi instance(String namespace, String wmiClass, Map<String, Object> values) {
    instances.computeIfAbsent(namespace + " " + wmiClass, k -> new ArrayList<>()).add(values);
    return this;
  }

  /** The class exists but has no instance. */
  public RecordedWmi noInstances(String namespace, String wmiClass) {
    instances.computeIfAbsent(namespace + " " + wmiClass, k -> new ArrayList<>());
    return this;
  }

  public RecordedWmi failing(String namespace, String wmiClass, WmiReadException.Kind kind,
      String message) {
    failures.put(namespace + " " + wmiClass, new WmiReadException(kind, message, null));
    return this;
  }

  @Override
  public <P extends Enum<P>> List<WmiRow<P>> query(String namespace, String wmiClass,
      Class<P> properties) throws WmiReadException {
    String key = namespace + " " + wmiClass;
    if (failures.containsKey(key)) {
      throw failures.get(key);
    }
    List<Map<String, Object>> recorded = instances.get(key);
    if (recorded == null) {
      throw new WmiReadException(WmiReadException.Kind.NOT_PRESENT,
          key + ": 0x8004100E invalid namespace", null);
    }
    List<WmiRow<P>> rows = new ArrayList<>();
    for (Map<String, Object> values : recorded) {
      EnumMap<P, Object> raw = new EnumMap<>(properties);
      values.forEach((name, value) -> raw.put(Enum.valueOf(properties, name), value));
      rows.add(WmiRow.of(properties, raw));
    }
    return rows;
  }
}
