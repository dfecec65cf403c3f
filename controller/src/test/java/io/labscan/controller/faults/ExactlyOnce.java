package io.labscan.controller.faults;

import static org.assertj.core.api.Assertions.assertThat;

/** The property every fault test ends with: nothing acknowledged lost, everything stored once. */
final class ExactlyOnce {
  private ExactlyOnce() {}

  /**
   * Every acknowledged report is in the database; so is every report produced, and nothing
   * else; each once, with its scan and antivirus rows once and exactly the findings produced.
   */
  static void verify(StoredReports stored, DeliveryLedger ledger, int hosts) {
    assertThat(stored.reportIds()).as("acknowledged reports in the database").containsAll(ledger.acked());
    assertThat(stored.reportIds()).as("every report produced, and nothing else")
        .isEqualTo(ledger.produced().keySet());
    assertThat(stored.reportRows()).as("rows in reports").isEqualTo(ledger.producedCount());
    assertThat(stored.duplicateReportIds()).as("report ids stored twice").isEmpty();
    assertThat(stored.reportsWithoutOneScanRow()).as("reports without exactly one scan row").isEmpty();
    assertThat(stored.reportsWithoutOneAvRow()).as("reports without exactly one antivirus row").isEmpty();
    assertThat(stored.findingRows()).as("finding rows").isEqualTo(ledger.producedFindings());
    assertThat(stored.hosts()).as("hosts").isEqualTo(hosts);
  }
}
