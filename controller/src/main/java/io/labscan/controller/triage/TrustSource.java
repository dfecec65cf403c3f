package io.labscan.controller.triage;

import java.util.Objects;

/**
 * Why the trust walk believes the MTA that wrote one {@code Received:} line.
 *
 * <p>Only {@link Kind#CONFIGURED} and {@link Kind#MAIL_SERVER} make a line <em>ours</em>: an
 * MTA the site runs, named by an administrator ({@code --trust}, the Settings page) or given the
 * mail-server role ({@code policy --mail-server}). A well-known provider and the delivering MTA
 * of the top line are believed for the walk, but an answer resting on them alone is not
 * recorded as evidence against a host (see {@link TriageResult#recordable()}).
 *
 * @param kind where the trust came from
 * @param text the same in words, e.g. {@code configured (--trust 198.51.100.0/24)}, {@code
 *     mail-server role (host mx1, held 198.51.100.5)}, {@code provider list (Google)}, {@code
 *     delivering MTA (top line)}
 */
public record TrustSource(Kind kind, String text) {
  /** Where trust in a line's writer came from. */
  public enum Kind {
    /** An administrator named the MTA ({@code --trust}, the Settings page). */
    CONFIGURED,
    /** A LabScan host with the mail-server role (learned from its reported addresses or name). */
    MAIL_SERVER,
    /** Inside a well-known provider (the provider list). */
    PROVIDER,
    /** The topmost line, written by whoever delivered the message: taken as given, unverified. */
    DELIVERING,
    /**
     * A host the administrator has not declared an MTA, whose line the fleet corroborates: the host
     * the line names as its client reported, itself, its SMTP to this writer ({@link
     * RelayCorroboration}; issue 15, red-team round 7, S1 and S5).
     */
    CORROBORATED
  }

  public TrustSource {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
  }

  /** True for an MTA of the site's own: configured, or a host with the mail-server role. */
  public boolean ours() {
    return kind == Kind.CONFIGURED || kind == Kind.MAIL_SERVER || kind == Kind.CORROBORATED;
  }

  static TrustSource corroborated(String text) {
    return new TrustSource(Kind.CORROBORATED, text);
  }

  static TrustSource configured(String entry) {
    return new TrustSource(Kind.CONFIGURED, "configured (--trust " + entry + ")");
  }

  static TrustSource mailServer(String hostname, String how) {
    return new TrustSource(Kind.MAIL_SERVER, "mail-server role (host " + hostname + ", " + how + ")");
  }

  static TrustSource provider(String name) {
    return new TrustSource(Kind.PROVIDER, "provider list (" + name + ")");
  }

  static TrustSource delivering(String text) {
    return new TrustSource(Kind.DELIVERING, text);
  }

  @Override
  public String toString() {
    return text;
  }
}
