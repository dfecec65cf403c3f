package io.labscan.agent.checks.harvest;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.EvidenceSink;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.mail.MailLimits;
import io.labscan.agent.checks.mail.MailStore;
import io.labscan.agent.checks.mail.MailStoreReader;
import io.labscan.agent.checks.mail.ProfileFile;
import io.labscan.agent.checks.mail.ProfileWalker;
import io.labscan.agent.checks.mail.ScanCounters;
import io.labscan.agent.checks.mail.SkipReasons;
import io.labscan.contract.harvest.AddressDigest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the e-mail addresses a mass-mailer on this host would harvest, and reports them
 * only as keyed digests ({@link AddressDigest}) so the controller can tell which machines
 * knew a complaining address without the addresses ever leaving the host.
 *
 * <p>Sources, in every user profile (and the mail spools) found by {@link ProfileWalker}:
 * the From/To/Cc/Reply-To headers of every message in the mail stores the mail check reads;
 * address books (Windows {@code .wab}, Thunderbird {@code .mab} and {@code abook.sqlite} /
 * {@code history.sqlite}, macOS {@code .abcddb}, vCard {@code .vcf}); and address-like text
 * in {@code .htm .html .txt .eml} files, as Klez reads them.
 *
 * <p>Without a fleet key in the policy nothing is reported (skip reason
 * {@value #NO_KEY_REASON}). At most {@value #MAX_ADDRESSES} distinct addresses are kept per
 * host; further ones are counted under {@value #CAP_REASON}.
 */
public final class HarvestCheck implements Check {
  private static final Logger log = LoggerFactory.getLogger(HarvestCheck.class);
  public static final int MAX_ADDRESSES = 100_000;
  public static final String NO_KEY_REASON = "harvest-no-fleet-key";
  public static final String CAP_REASON = "harvest-address-cap";

  private final int maxAddresses;
  private final long maxQueryProgressCalls;

  public HarvestCheck() {
    this(MAX_ADDRESSES);
  }

  /** @param maxAddresses distinct addresses kept per host */
  public HarvestCheck(int maxAddresses) {
    this(maxAddresses, SqliteAddressBookSource.MAX_PROGRESS_CALLS);
  }

  /**
   * @param maxQueryProgressCalls how long one address-book query may run, in calls of
   *     SQLite's progress handler (see {@link SqliteAddressBookSource})
   */
  HarvestCheck(int maxAddresses, long maxQueryProgressCalls) {
    if (maxAddresses <= 0) {
      throw new IllegalArgumentException("maxAddresses must be positive");
    }
    this.maxAddresses = maxAddresses;
    this.maxQueryProgressCalls = maxQueryProgressCalls;
  }

  @Override
  public String name() {
    return "harvest";
  }

  /** The mail stores again, plus address books and text files. */
  @Override
  public Duration budget() {
    return Duration.ofHours(1);
  }

  @Override
  public boolean appliesTo(ScanPlan plan) {
    return plan.isFull();
  }

  @Override
  public void run(ScanContext context, EvidenceSink sink)
      throws IOException, InterruptedException {
    byte[] key = context.policy().getHarvestKey().toByteArray();
    if (key.length == 0) {
      sink.skipped(NO_KEY_REASON, 1);
      return;
    }
    MailLimits limits = MailLimits.fromPolicy(context.policy());
    ScanCounters counters = ScanCounters.of(sink);
    AddressCollector addresses = new AddressCollector(maxAddresses);
    MailStoreReader stores = new MailStoreReader(limits, counters);
    List<AddressSource> sources = List.of(
        new ScannedBytesSource(Set.of("htm", "html", "txt", "eml")),
        new ScannedBytesSource(Set.of("wab", "mab")),
        new VCardSource(),
        new SqliteAddressBookSource(context.stateDir(), limits.maxMessageBytes(),
            maxQueryProgressCalls));

    new ProfileWalker(limits.maxWalkDepth()).walk(context.root(), file -> {
      Optional<MailStore> store = file.mailStore();
      if (store.isPresent()) {
        stores.read(store.get(),
            message -> MailHeaderAddresses.collect(message.mime(), addresses));
      }
      for (AddressSource source : sources) {
        if (source.reads(file)) {
          readSource(source, file, limits, addresses, counters);
          break;
        }
      }
    }, counters);

    sink.harvest(addresses.digests(key, context.policy().getHarvestKeyId()));
    if (addresses.overflow() > 0) {
      sink.skipped(CAP_REASON, addresses.overflow());
    }
  }

  private static void readSource(AddressSource source, ProfileFile file, MailLimits limits,
      AddressCollector addresses, ScanCounters counters) {
    if (file.size() > limits.maxMessageBytes()) {
      // A mail store (.eml) was already counted by the store reader.
      if (file.mailFormat().isEmpty()) {
        counters.skipped(SkipReasons.TOO_LARGE, 1);
      }
      return;
    }
    try {
      source.read(file, addresses);
      counters.scanned(1, file.size());
    } catch (SqliteAddressBookSource.QueryBudgetExceededException e) {
      log.debug("Address book {} costs too much to query", file.relativePath());
      counters.skipped(SqliteAddressBookSource.QUERY_BUDGET_REASON, 1);
    } catch (IOException | RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        return; // stopped by the check's time budget, not the file's fault: the walk ends next
      }
      // Parsers of hostile files (SQLite driver included) may throw unchecked; never log
      // the content, it is address material.
      log.debug("Cannot read {}: {}", file.relativePath(), e.getClass().getSimpleName());
      counters.skipped(SkipReasons.UNREADABLE, 1);
    }
  }
}
