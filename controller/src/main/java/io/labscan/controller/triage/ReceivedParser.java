package io.labscan.controller.triage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code Received:} header values into {@link ReceivedHop}s.
 *
 * <p>Grammar, after RFC 5321 §4.4 and what MTAs really write (see docs/triage.md):
 *
 * <pre>
 *   value   = stamp [ ";" date ]               ; date after the last ";" outside comments
 *   stamp   = *( clause / comment / word )
 *   clause  = keyword [ value-word ] *( comment / word )
 *   keyword = "from" / "by" / "via" / "with" / "id" / "for"   ; case-insensitive, first of each
 *   comment = "(" *( ctext / comment ) ")"      ; nested; an unclosed one runs to the end
 * </pre>
 *
 * The word after a keyword is always its value, even when it looks like a keyword
 * ({@code from by (unknown [192.0.2.1]) by mx}), so a client's odd HELO cannot shift the
 * clauses. The comments of the {@code from} clause are then read per MTA dialect:
 *
 * <ul>
 *   <li>Postfix, Sendmail, Gmail, Microsoft SMTPSVC: {@code from HELO (RDNS [IP])}; {@code
 *       unknown} means no reverse DNS; Sendmail adds {@code (may be forged)}.
 *   <li>Exim: {@code from RDNS ([IP]:port helo=HELO)} or {@code from [IP] (helo=HELO)}: the
 *       name after {@code from} is the verified host name or the connection IP, never HELO.
 *   <li>qmail: {@code from RDNS (HELO name) (IP)}, {@code unknown} for no reverse DNS; its
 *       {@code (qmail N invoked …)} lines are flagged {@link HopFlag#NOT_A_HOP}.
 *   <li>Exchange 2013+ / Office 365: {@code from HELO (IP) by HOST (IP) with Microsoft SMTP
 *       Server (…) id 15.20.x}: a bare IP in parentheses; the name is the EHLO name.
 *   <li>Lines without a {@code from} part (Gmail's {@code by 2002:… with SMTP id}, local
 *       submissions) are flagged {@link HopFlag#NO_FROM_PART}.
 * </ul>
 *
 * <p>The parser is total: {@link #parse(String)} never throws. A line with neither a {@code
 * from} nor a {@code by} clause becomes an {@link HopFlag#UNPARSED} hop that keeps the raw
 * text. Lines longer than {@value #MAX_LENGTH} characters are cut ({@link HopFlag#TRUNCATED}).
 */
public final class ReceivedParser {
  /** Longest header value read, in characters; real lines are far shorter. */
  public static final int MAX_LENGTH = 8192;

  private static final Set<String> KEYWORDS = Set.of("from", "by", "via", "with", "id", "for");
  private static final Pattern QMAIL_INVOKED =
      Pattern.compile("\\(qmail \\d{1,12} invoked [^()]{0,200}\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern HELO_EQ =
      Pattern.compile("(?i)\\bhelo=([^\\s()\\[\\]]{0,255})");
  private static final Pattern QMAIL_HELO = Pattern.compile("(?i)^\\s*(?:HELO|EHLO)\\s+(\\S{1,255})\\s*$");
  private static final Pattern AUTH_PROTOCOL = Pattern.compile("(?i)(?:E?SMTP|LMTP)S?A");
  private static final Pattern MICROSOFT_WITH =
      Pattern.compile("(?i)microsoft smtp server.*|mapi|https?");
  private static final Pattern SENDMAIL =
      Pattern.compile("\\((\\d{1,2}\\.\\d{1,3}\\.\\d{1,3}(?:\\.\\d{1,3})?)(?:/[\\w.+-]{1,40})?/(\\d{1,2}\\.\\d{1,3}\\.\\d{1,3})");
  private static final Pattern EXIM = Pattern.compile("(?i)\\bExim (\\d{1,3}(?:\\.\\d{1,4}){1,3})");
  private static final Pattern SMTPSVC = Pattern.compile("(?i)Microsoft SMTPSVC\\(([\\d.]{1,30})\\)");
  /** Retrieval by the mailbox owner's machine: fetchmail, getmail, Gmail's mail fetcher. */
  private static final Pattern RETRIEVAL_WITH = Pattern.compile("(?i)(?:POP3?|IMAP4?(?:rev1)?)S?(?:/.*)?");
  /**
   * A retrieval program named in the {@code with} clause's comment ({@code with POP3
   * (fetchmail-6.4.37)}); only that comment is read, never HELO or {@code for} text, which the
   * client or sender chose.
   */
  private static final Pattern RETRIEVAL_SOFTWARE = Pattern.compile("(?i)^\\s*(?:fetchmail|getmail)\\b.{0,80}");
  /**
   * A client-chosen token inside a from-clause comment ({@code helo=[127.0.0.1]}, {@code
   * ident=x}): removed before the comment is searched for the connection's IP.
   */
  private static final Pattern CLIENT_TOKEN =
      Pattern.compile("(?i)\\b(?:helo|ehlo|ident)=(?:\\[[^\\]]{0,300}\\]\\S{0,300}|\\S{0,300})");
  /** Local deliveries: LMTP to the mailbox store, Exim's local submissions and deliveries. */
  private static final Pattern LOCAL_WITH = Pattern.compile("(?i)LMTPS?A?|local(?:-[a-z]{1,12})?");
  private static final Pattern EXCHANGE_ID = Pattern.compile("\\bid (1[45]\\.\\d{1,3}\\.\\d{1,5}\\.\\d{1,5})");

  private ReceivedParser() {}

  /** Reads one header value (with or without the {@code Received:} name). Never throws. */
  public static ReceivedHop parse(String headerValue) {
    String text = headerValue == null ? "" : headerValue;
    try {
      return parseOrThrow(text);
    } catch (RuntimeException | StackOverflowError e) {
      // The fuzz tests drive parseOrThrow directly, so a bug here still shows up in tests;
      // in production an unreadable line must not stop the trace.
      String raw = unfold(text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) : text);
      return ReceivedHop.unparsed(raw, List.of());
    }
  }

  /** Reads every value, top (newest) first, keeping their order. */
  public static List<ReceivedHop> parseAll(List<String> headerValues) {
    List<ReceivedHop> hops = new ArrayList<>(headerValues.size());
    for (String v : headerValues) {
      hops.add(parse(v));
    }
    return hops;
  }

  /** The parsing itself, without the safety net (package-private for the fuzz tests). */
  static ReceivedHop parseOrThrow(String headerValue) {
    Objects.requireNonNull(headerValue, "headerValue");
    EnumSet<HopFlag> flags = EnumSet.noneOf(HopFlag.class);
    String text = headerValue;
    if (text.length() > MAX_LENGTH) {
      text = text.substring(0, MAX_LENGTH);
      flags.add(HopFlag.TRUNCATED);
    }
    String raw = unfold(text);
    if (raw.regionMatches(true, 0, "Received:", 0, 9)) {
      raw = raw.substring(9).trim();
    }

    int cut = dateSeparator(raw);
    String stamp = cut >= 0 ? raw.substring(0, cut).trim() : raw;
    Optional<Instant> date = cut >= 0 ? MailDates.parse(raw.substring(cut + 1)) : Optional.empty();
    if (date.isEmpty()) {
      flags.add(HopFlag.NO_DATE);
    }

    if (QMAIL_INVOKED.matcher(stamp).matches()) {
      flags.add(HopFlag.NOT_A_HOP);
      Optional<String> none = Optional.empty();
      return new ReceivedHop(
          raw, none, none, none, none, none, none, none, none, date, List.of("qmail"), flags);
    }

    Map<String, Clause> clauses = clauses(tokenize(stamp));
    Clause from = clauses.get("from");
    Clause by = clauses.get("by");
    if (from == null && by == null) {
      flags.add(HopFlag.UNPARSED);
      flags.add(HopFlag.NO_DATE);
      return ReceivedHop.unparsed(raw, flags);
    }
    if (from == null) {
      flags.add(HopFlag.NO_FROM_PART);
    }

    Optional<String> with = withText(clauses.get("with"));
    List<String> software = software(raw, by);
    boolean microsoft =
        with.map(w -> MICROSOFT_WITH.matcher(w).matches()).orElse(false)
            || (by != null && by.comments.stream().anyMatch(c -> bareIp(c).isPresent()));
    boolean exim = software.stream().anyMatch(s -> s.startsWith("Exim"));

    Client client = from == null ? Client.NONE : client(from, with, microsoft, exim, flags);
    if (from != null) {
      if (client.ip.map(Ips::isLoopback).orElse(false)) {
        flags.add(HopFlag.LOOPBACK_CLIENT);
      }
      Clause withClause = clauses.get("with");
      if (with.map(w -> RETRIEVAL_WITH.matcher(w).matches()).orElse(false)
          || (withClause != null
              && withClause.comments.stream().anyMatch(c -> RETRIEVAL_SOFTWARE.matcher(c).matches()))) {
        flags.add(HopFlag.RETRIEVAL);
      }
      if (with.map(w -> LOCAL_WITH.matcher(w).matches()).orElse(false)) {
        flags.add(HopFlag.LOCAL_DELIVERY);
      }
    }

    Optional<String> byHost = Optional.empty();
    Optional<String> byIp = Optional.empty();
    if (by != null) {
      byHost = nonEmpty(stripDot(by.value));
      byIp = Ips.canonical(by.value == null ? "" : by.value);
      for (String c : by.comments) {
        if (byIp.isPresent()) {
          break;
        }
        byIp = bracketedIp(c).map(Tcp::ip).or(() -> bareIp(c));
      }
    }

    if (with.map(w -> AUTH_PROTOCOL.matcher(w).matches()).orElse(false)
        || raw.toLowerCase(Locale.ROOT).contains("authenticated sender:")) {
      flags.add(HopFlag.AUTHENTICATED);
    }

    Clause id = clauses.get("id");
    Clause forClause = clauses.get("for");
    return new ReceivedHop(
        raw,
        client.helo,
        client.rdns,
        client.ip,
        byHost,
        byIp,
        with,
        id == null ? Optional.empty() : nonEmpty(id.value),
        forClause == null ? Optional.empty() : nonEmpty(stripAngles(forClause.value)),
        date,
        software,
        flags);
  }

  /** One line: folding undone, controls turned into spaces, runs of spaces collapsed. */
  static String unfold(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      // C0, DEL and C1 (U+0080–U+009F, e.g. 8-bit CSI) controls: none may reach a warning.
      boolean ws = c <= ' ' || Character.isISOControl(c) || Character.isWhitespace(c);
      if (ws) {
        space = sb.length() > 0;
      } else {
        if (space) {
          sb.append(' ');
          space = false;
        }
        sb.append(c);
      }
    }
    return sb.toString();
  }

  // ---- client (from clause) -------------------------------------------------------------

  private record Client(Optional<String> helo, Optional<String> rdns, Optional<String> ip) {
    static final Client NONE = new Client(Optional.empty(), Optional.empty(), Optional.empty());
  }

  private record Tcp(String ip, Optional<String> name) {}

  private static Client client(
      Clause from, Optional<String> with, boolean microsoft, boolean exim, Set<HopFlag> flags) {
    String value = from.value == null ? "" : from.value;
    Optional<String> valueIp = Ips.canonical(value);
    Optional<String> heloEq = Optional.empty();
    Optional<String> qmailHelo = Optional.empty();
    Optional<Tcp> bracketed = Optional.empty();
    Optional<String> bare = Optional.empty();
    for (String c : from.comments) {
      Matcher h = HELO_EQ.matcher(c);
      if (heloEq.isEmpty() && h.find()) {
        heloEq = Optional.of(h.group(1));
      }
      Matcher q = QMAIL_HELO.matcher(c);
      if (qmailHelo.isEmpty() && q.matches()) {
        qmailHelo = Optional.of(q.group(1));
      }
      // The client IP is never read from what the client said: a qmail "(HELO [127.0.0.1])"
      // comment is skipped, Exim's "helo=…" and "ident=…" tokens are cut out first, so a HELO
      // of [127.0.0.1] cannot make a real connection look like a loopback hop.
      String connection = q.matches() ? "" : CLIENT_TOKEN.matcher(c).replaceAll(" ").trim();
      if (bracketed.isEmpty() && bare.isEmpty() && !connection.isEmpty()) {
        bracketed = bracketedIp(connection);
        if (bracketed.isEmpty()) {
          bare = bareIp(connection);
        }
      }
      if (c.toLowerCase(Locale.ROOT).contains("may be forged")) {
        flags.add(HopFlag.MAY_BE_FORGED);
      }
    }

    Optional<String> bareIp = bare;
    Optional<Tcp> bracketIp = bracketed;
    Optional<String> helo;
    Optional<String> rdns;
    Optional<String> ip;
    if (heloEq.isPresent() || exim) {
      // Exim: "from RDNS ([IP]:port helo=X)" / "from [IP] (helo=X)"; the name is verified
      // and HELO is only shown when it differs from it.
      // In "from [IP] (helo=X)" the literal after "from" is the connection's address.
      Optional<String> literal = value.trim().startsWith("[") ? valueIp : Optional.empty();
      ip = literal.or(() -> bracketIp.map(Tcp::ip)).or(() -> bareIp).or(() -> valueIp);
      rdns = valueIp.isPresent() ? Optional.empty() : realName(value);
      helo = heloEq.isPresent() ? heloEq.flatMap(ReceivedParser::nonEmpty) : nonEmpty(value);
    } else if (qmailHelo.isPresent() || (bare.isPresent() && !microsoft)) {
      // qmail: "from RDNS (HELO x) (IP)", HELO omitted when equal to the name.
      ip = bareIp.or(() -> bracketIp.map(Tcp::ip));
      rdns = realName(value);
      helo = qmailHelo.isPresent() ? qmailHelo : nonEmpty(value);
    } else if (bare.isPresent()) {
      // Exchange: "from EHLO (IP)": no reverse DNS recorded.
      ip = bare;
      rdns = Optional.empty();
      helo = nonEmpty(value);
    } else if (bracketed.isPresent()) {
      // Postfix, Sendmail, Gmail, SMTPSVC: "from HELO (RDNS [IP])".
      ip = Optional.of(bracketed.get().ip());
      rdns = bracketed.get().name().flatMap(ReceivedParser::realName);
      helo = nonEmpty(value);
    } else if (valueIp.isPresent() && with.map(w -> w.toUpperCase(Locale.ROOT).startsWith("HTTP")).orElse(false)) {
      // Webmail front ends ("from 192.0.2.1 by … with HTTP") record the web client's IP.
      ip = valueIp;
      rdns = Optional.empty();
      helo = Optional.empty();
    } else {
      ip = Optional.empty();
      rdns = Optional.empty();
      helo = nonEmpty(value);
      if (valueIp.isPresent()) {
        flags.add(HopFlag.HELO_LITERAL_ONLY);
      }
    }
    if (ip.isPresent() && rdns.isEmpty() && !microsoft) {
      flags.add(HopFlag.NO_REVERSE_DNS);
    }
    // "from . (…)": a HELO that is only the root dot names nothing.
    return new Client(helo.map(ReceivedParser::stripDot).flatMap(ReceivedParser::nonEmpty), rdns, ip);
  }

  /** "[192.0.2.1]", "name [IPv6:2001:db8::1]", "user@name [192.0.2.1]:port helo=x". */
  private static Optional<Tcp> bracketedIp(String comment) {
    int open = comment.indexOf('[');
    int close = open < 0 ? -1 : comment.indexOf(']', open);
    if (close < 0) {
      return Optional.empty();
    }
    Optional<String> ip = Ips.canonical(comment.substring(open + 1, close));
    if (ip.isEmpty()) {
      return Optional.empty();
    }
    String before = comment.substring(0, open).trim();
    int at = before.lastIndexOf('@');
    if (at >= 0) {
      before = before.substring(at + 1); // ident "user@host"
    }
    return Optional.of(new Tcp(ip.get(), nonEmpty(before)));
  }

  /** "(192.0.2.1)", "(user@192.0.2.1)", "(2001:db8::1)": the comment's first word as an IP. */
  private static Optional<String> bareIp(String comment) {
    String first = comment.trim();
    int sp = first.indexOf(' ');
    if (sp >= 0) {
      first = first.substring(0, sp);
    }
    int at = first.lastIndexOf('@');
    if (at >= 0) {
      first = first.substring(at + 1);
    }
    if (first.endsWith(",")) {
      first = first.substring(0, first.length() - 1);
    }
    if (first.startsWith("[")) {
      return Optional.empty(); // bracketed: handled by bracketedIp
    }
    return Ips.canonical(first);
  }

  /** A host name worth keeping: not empty, not "unknown", not an IP literal. */
  private static Optional<String> realName(String name) {
    String n = stripDot(name == null ? "" : name.trim());
    if (n.isEmpty() || n.equalsIgnoreCase("unknown") || Ips.canonical(n).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(n);
  }

  // ---- other clauses --------------------------------------------------------------------

  private static Optional<String> withText(Clause with) {
    if (with == null || with.value == null || with.value.isEmpty()) {
      return Optional.empty();
    }
    if (with.value.equalsIgnoreCase("Microsoft") && !with.words.isEmpty()) {
      return Optional.of(with.value + " " + String.join(" ", with.words));
    }
    return Optional.of(with.value);
  }

  private static List<String> software(String raw, Clause by) {
    List<String> hints = new ArrayList<>();
    String lower = raw.toLowerCase(Locale.ROOT);
    if (by != null && by.comments.stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).startsWith("postfix"))) {
      hints.add("Postfix");
    }
    Matcher sendmail = SENDMAIL.matcher(raw);
    if (sendmail.find()) {
      hints.add("Sendmail " + sendmail.group(1));
    }
    Matcher exim = EXIM.matcher(raw);
    if (exim.find()) {
      hints.add("Exim " + exim.group(1));
    }
    if (lower.contains("qmail")) {
      hints.add("qmail");
    }
    Matcher smtpsvc = SMTPSVC.matcher(raw);
    if (smtpsvc.find()) {
      hints.add("Microsoft SMTPSVC " + smtpsvc.group(1));
    }
    if (lower.contains("microsoft smtp server")) {
      Matcher ex = EXCHANGE_ID.matcher(raw);
      hints.add(ex.find() ? "Microsoft Exchange " + ex.group(1) : "Microsoft Exchange");
    }
    String byHost = by == null || by.value == null ? "" : by.value.toLowerCase(Locale.ROOT);
    if (byHost.endsWith(".google.com") || lower.contains("google transport security")
        || (by != null && byHost.startsWith("2002:") && lower.contains("with smtp id"))) {
      hints.add("Google");
    }
    return hints;
  }

  // ---- tokens and clauses ---------------------------------------------------------------

  /** Index of the ";" before the date: the last one outside comments, else the last one. */
  private static int dateSeparator(String s) {
    int depth = 0;
    int lastTop = -1;
    int last = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && depth > 0) {
        depth--;
      } else if (c == ';') {
        last = i;
        if (depth == 0) {
          lastTop = i;
        }
      }
    }
    return lastTop >= 0 ? lastTop : last;
  }

  private record Token(boolean comment, String text) {}

  private static List<Token> tokenize(String s) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ') {
        i++;
      } else if (c == '(') {
        int depth = 0;
        int start = i + 1;
        int j = i;
        for (; j < n; j++) {
          char d = s.charAt(j);
          if (d == '(') {
            depth++;
          } else if (d == ')' && --depth == 0) {
            break;
          }
        }
        tokens.add(new Token(true, s.substring(start, Math.min(j, n)).trim()));
        i = j + 1;
      } else if (c == ')') {
        i++; // a stray closing parenthesis
      } else {
        int j = i;
        while (j < n && s.charAt(j) != ' ' && s.charAt(j) != '(' && s.charAt(j) != ')') {
          j++;
        }
        tokens.add(new Token(false, s.substring(i, j)));
        i = j;
      }
    }
    return tokens;
  }

  /** Clause of a Received stamp: keyword, its value and the words and comments after it. */
  private static final class Clause {
    String value;
    boolean valueDone;
    final List<String> words = new ArrayList<>();
    final List<String> comments = new ArrayList<>();
  }

  private static Map<String, Clause> clauses(List<Token> tokens) {
    Map<String, Clause> clauses = new LinkedHashMap<>();
    Clause current = null;
    for (Token t : tokens) {
      if (t.comment()) {
        if (current != null) {
          current.valueDone = true;
          current.comments.add(t.text());
        }
        continue;
      }
      String lower = t.text().toLowerCase(Locale.ROOT);
      if (current != null && !current.valueDone) {
        current.value = t.text();
        current.valueDone = true;
      } else if (KEYWORDS.contains(lower) && !clauses.containsKey(lower)) {
        current = new Clause();
        clauses.put(lower, current);
      } else if (current != null) {
        current.words.add(t.text());
      }
    }
    return clauses;
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }

  private static String stripDot(String s) {
    if (s == null) {
      return "";
    }
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String stripAngles(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    if (t.endsWith(";")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.startsWith("<")) {
      t = t.substring(1);
    }
    if (t.endsWith(">")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
