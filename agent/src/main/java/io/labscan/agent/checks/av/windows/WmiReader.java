package io.labscan.agent.checks.av.windows;

import java.util.List;

/** Read access to WMI on the running Windows system. */
public interface WmiReader {

  /**
   * All instances of a class.
   *
   * @param namespace e.g. {@code ROOT\SecurityCenter2}
   * @param wmiClass e.g. {@code AntiVirusProduct}
   * @param properties an enum whose constant names are the WMI property names to fetch
   */
  <P extends Enum<P>> List<WmiRow<P>> query(String namespace, String wmiClass,
      Class<P> properties) throws WmiReadException;
}
