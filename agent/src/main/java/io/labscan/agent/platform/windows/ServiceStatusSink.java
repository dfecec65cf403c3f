package io.labscan.agent.platform.windows;

/** Where status reports go: SetServiceStatus on Windows, a list in tests. */
@FunctionalInterface
public interface ServiceStatusSink {
  void report(ServiceStatus status);
}
