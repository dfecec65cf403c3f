package io.labscan.agent.checks.harvest;

import com.google.protobuf.ByteString;
import io.labscan.agent.checks.mail.ScanHarness;
import io.labscan.contract.harvest.AddressDigest;
import java.nio.file.Path;

/** What tests in other packages need of the harvest's package-private fixtures. */
public final class HarvestCheckAccess {
  private HarvestCheckAccess() {}

  /** A Thunderbird {@code abook.sqlite} holding {@code address}. */
  public static Path thunderbirdBook(Path file, String address) throws Exception {
    return HarvestFixtures.thunderbirdSqlite(file, address);
  }

  /** The digest the harvest reports for {@code address} under the test fleet key. */
  public static ByteString harvestDigestOf(String address) {
    return ByteString.copyFrom(AddressDigest.digest(ScanHarness.FLEET_KEY, address));
  }
}
