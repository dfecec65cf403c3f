package io.labscan.agent.checks.mail;

/**
 * Receives the messages of a store, one at a time. The message is valid only during the
 * call. Implementations handle their own parse errors (hostile messages break parsers).
 */
@FunctionalInterface
public interface StoredMessageVisitor {
  void message(StoredMessage message);
}
