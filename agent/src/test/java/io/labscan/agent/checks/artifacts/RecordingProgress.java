package io.labscan.agent.checks.artifacts;

import java.util.ArrayList;
import java.util.List;

/** Keeps the totals of every scan it watched. */
final class RecordingProgress implements ScanProgress {
  final List<ScanTotals> finished = new ArrayList<>();
  long progressCalls;

  @Override
  public void started(String root) {}

  @Override
  public void progress(long files, long bytesRead, String folder) {
    progressCalls++;
  }

  @Override
  public void finished(ScanTotals totals) {
    finished.add(totals);
  }

  ScanTotals last() {
    return finished.get(finished.size() - 1);
  }
}
