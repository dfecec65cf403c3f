package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.platform.win32.COM.COMException;
import com.sun.jna.platform.win32.COM.WbemcliUtil;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import oshi.util.platform.windows.WmiQueryHandler;

/**
 * The real WMI, through jna-platform's WbemcliUtil, with COM set up by OSHI's
 * WmiQueryHandler (which also initialises COM security once per process). The query is run
 * directly rather than through {@code WmiQueryHandler.queryWMI}, because that one turns every
 * COM failure into an empty result and a missing Security Center must be told apart from an
 * access-denied one. Only loaded on Windows.
 */
public final class JnaWmiReader implements WmiReader {
  /** Generous: a busy WMI service answers these small classes well within it. */
  static final int TIMEOUT_MILLIS = 20_000;

  private static final int WBEM_E_NOT_FOUND = 0x80041002;
  private static final int WBEM_E_INVALID_NAMESPACE = 0x8004100E;
  private static final int WBEM_E_INVALID_CLASS = 0x80041010;

  @Override
  public <P extends Enum<P>> List<WmiRow<P>> query(String namespace, String wmiClass,
      Class<P> properties) throws WmiReadException {
    requireNonNull(namespace, "namespace");
    requireNonNull(wmiClass, "wmiClass");
    requireNonNull(properties, "properties");
    String what = namespace + " " + wmiClass;
    WmiQueryHandler handler = WmiQueryHandler.createInstance();
    if (handler == null) {
      throw new WmiReadException(WmiReadException.Kind.FAILED, what + ": no WMI handler", null);
    }
    boolean comInitialised = false;
    try {
      comInitialised = handler.initCOM();
      WbemcliUtil.WmiResult<P> result =
          new WbemcliUtil.WmiQuery<>(namespace, wmiClass, properties).execute(TIMEOUT_MILLIS);
      List<WmiRow<P>> rows = new ArrayList<>(result.getResultCount());
      for (int i = 0; i < result.getResultCount(); i++) {
        EnumMap<P, Object> raw = new EnumMap<>(properties);
        for (P property : properties.getEnumConstants()) {
          Object value = result.getValue(property, i);
          if (value != null) {
            raw.put(property, value);
          }
        }
        rows.add(WmiRow.of(properties, raw));
      }
      return rows;
    } catch (TimeoutException e) {
      throw new WmiReadException(WmiReadException.Kind.FAILED,
          what + ": no answer within " + TIMEOUT_MILLIS / 1000 + " s", e);
    } catch (COMException e) {
      int code = e.getHresult() == null ? 0 : e.getHresult().intValue();
      WmiReadException.Kind kind = code == WBEM_E_INVALID_NAMESPACE
          || code == WBEM_E_INVALID_CLASS || code == WBEM_E_NOT_FOUND
          ? WmiReadException.Kind.NOT_PRESENT : WmiReadException.Kind.FAILED;
      throw new WmiReadException(kind,
          what + ": " + String.format(Locale.ROOT, "0x%08X ", code) + e.getMessage(), e);
    } finally {
      if (comInitialised) {
        handler.unInitCOM();
      }
    }
  }
}
