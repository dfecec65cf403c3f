package io.labscan.controller.alert;

import java.io.IOException;

/** Somewhere alerts go: a webhook, a syslog server, a file. */
public interface AlertSink extends AutoCloseable {
  /** Delivers one alert, or throws; the dispatcher retries. */
  void send(Alert alert) throws IOException;

  /** Where this sink delivers, for logs. */
  String describe();

  @Override
  default void close() {}
}
