package io.labscan.agent.checks.av.windows;

import java.util.Optional;

/** Read access to HKEY_LOCAL_MACHINE of the running Windows system. */
public interface RegistryReader {

  /**
   * The values of a key below HKEY_LOCAL_MACHINE in the 64-bit view (so 32-bit products are
   * found under their explicit {@code WOW6432Node} path), or empty when the key is absent.
   *
   * @param path e.g. {@code SOFTWARE\Microsoft\Windows Defender\Signature Updates}
   */
  Optional<RegistryKey> localMachineKey(String path) throws RegistryReadException;
}
