package io.labscan.agent.checks.harvest;

import io.labscan.agent.checks.mail.ProfileFile;
import java.io.IOException;

/** One kind of file a worm harvests addresses from. */
interface AddressSource {

  /** Whether this source reads {@code file} (decided from its name). */
  boolean reads(ProfileFile file);

  /** Adds every address found in {@code file}; never writes to it. */
  void read(ProfileFile file, AddressCollector addresses) throws IOException;
}
