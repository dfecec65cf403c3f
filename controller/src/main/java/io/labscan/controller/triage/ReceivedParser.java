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
import org.jspecify.annotations.Nullable;

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
 * clauses.
 *
 * <p><b>Only what the receiving MTA wrote is read</b> (red-team finding F1 of issue 15). The
 * HELO stands between {@code from} and the MTA's comment and may hold parentheses, spaces and
 * keywords. So a parenthesis inside a word belongs to the word ({@code x(10.20.3.12)} is a
 * HELO), the from part ends at the MTA's {@code by}, found from the right (the last {@code by}
 * outside comments and quoted strings that directly follows a comment), keywords and software
 * hints count only right of that cut, and the client IP comes from the last comment before it
 * that records a connection in an MTA's shape ({@link #connection}). See {@link #split}.
 * The comments of the {@code from} part are then read per MTA dialect:
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
  /** RFC 3848 / RFC 6531 {@code with} types of an authenticated session: ESMTPA, ESMTPSA, UTF8SMTPSA … */
  private static final Pattern AUTH_PROTOCOL = Pattern.compile("(?i)(?:UTF8)?(?:E?SMTP|LMTP)S?A");
  /**
   * A comment the MTA writes about an authenticated client, after the connection comment or
   * right of {@code by}: Postfix {@code (Authenticated sender: x)}, Sendmail {@code (authenticated
   * bits=0)} / {@code (authenticated)}, {@code (authenticated as x)}, {@code (authenticated user
   * x)}, Courier {@code (AUTH: LOGIN x, TLS: …)}.
   */
  private static final Pattern AUTH_COMMENT = Pattern.compile("(?i)^\\s*(?:authenticated\\b|auth:\\s)");
  /** The same in the MTA's text right of {@code by}: a comment, or OpenSMTPD's bare {@code auth=yes} token. */
  private static final Pattern AUTH_MTA_TEXT =
      Pattern.compile("(?i)\\(\\s*(?:authenticated\\b|auth:\\s)|(?:^|\\s)auth=(?:yes|pass|ok)(?=[\\s);]|$)");
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
  /** Exim's "port=1234" token in "from [IP] (port=1234 helo=X)". */
  private static final Pattern EXIM_PORT = Pattern.compile("(?i)\\bport=\\d{0,5}");
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

    Stamp parts = split(stamp);
    Map<String, Clause> clauses = parts.clauses();
    Clause by = clauses.get("by");
    if (!parts.hasFrom() && by == null) {
      flags.add(HopFlag.UNPARSED);
      flags.add(HopFlag.NO_DATE);
      return ReceivedHop.unparsed(raw, flags);
    }
    if (!parts.hasFrom()) {
      flags.add(HopFlag.NO_FROM_PART);
    }

    Optional<String> with = withText(clauses.get("with"));
    List<String> software = software(parts.mtaText(), by);
    boolean microsoft =
        with.map(w -> MICROSOFT_WITH.matcher(w).matches()).orElse(false)
            || (by != null && by.comments.stream().anyMatch(c -> bareIp(c).isPresent()));
    boolean exim = software.stream().anyMatch(s -> s.startsWith("Exim"));

    Client client = parts.hasFrom() ? client(parts, with, microsoft, exim, flags) : Client.NONE;
    if (parts.hasFrom()) {
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
        byIp = connection(c).map(Connection::ip);
      }
    }

    if (with.map(w -> AUTH_PROTOCOL.matcher(w).matches()).orElse(false)
        || client.authenticated
        || AUTH_MTA_TEXT.matcher(parts.mtaText()).find()) {
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

  // ---- the from part: what the client said and what the MTA wrote ------------------------

  private record Client(Optional<String> helo, Optional<String> rdns, Optional<String> ip, boolean authenticated) {
    static final Client NONE = new Client(Optional.empty(), Optional.empty(), Optional.empty(), false);
  }

  /** A parenthesised comment of the from part; {@code start} is its "(" in the stamp, -1 when unknown. */
  private record Comment(String text, int start) {}

  /**
   * The connection as an MTA records it in a comment: {@code [IP]} first (Exim, SMTPSVC,
   * Courier, Domino), {@code RDNS [IP]} (Postfix, Sendmail, Gmail; {@code name} is the reverse
   * DNS name, {@code unknown} when there is none), or a bare {@code IP} (qmail, Exchange).
   */
  private record Connection(String ip, Optional<String> name, boolean bracketed) {}

  /**
   * A stamp cut where the from part ends.
   *
   * @param hasFrom the stamp has a from part
   * @param region what stands between {@code from} and the MTA's comments: the HELO (Postfix,
   *     Sendmail, SMTPSVC, Exchange …) or the MTA's own name for the client (Exim, qmail)
   * @param comments the comments that end the from part, in order; the MTA wrote the last one
   *     that records a connection, those before it may be the client's (a HELO with spaces)
   * @param stamp the stamp, for the HELO text before a comment
   * @param clauses {@code by}, {@code with}, {@code id}, {@code for}, {@code via}: read only after the from part
   * @param mtaText the text after the from part, quoted strings and {@code <addresses>} blanked:
   *     where software hints are looked for
   */
  private record Stamp(boolean hasFrom, String region, List<Comment> comments, String stamp,
      Map<String, Clause> clauses, String mtaText) {}

  /**
   * Cuts the stamp after its from part. The client chose its HELO, which stands between {@code
   * from} and the comment the receiving MTA wrote, and may hold anything: parentheses, spaces
   * (Postfix joins HELO arguments with spaces), keywords. So the cut is found from the right: the
   * last {@code by} outside comments and quoted strings that directly follows a comment is the
   * MTA's, and the run of comments before it ends the from part. Text right of that {@code by} is
   * the MTA's, apart from envelope addresses, which are quoted when they hold spaces or
   * parentheses (hence quoted strings are opaque). A stamp without such a {@code by} (no MTA
   * comment at all: {@code from localhost by …}, webmail, fetchmail) is read left to right,
   * with a HELO ending only at white space.
   */
  private static Stamp split(String stamp) {
    boolean startsWithFrom = stamp.regionMatches(true, 0, "from", 0, 4)
        && (stamp.length() == 4 || stamp.charAt(4) == ' ');
    if (startsWithFrom) {
      Cut cut = mtaCut(stamp, true);
      if (cut == null) {
        cut = mtaCut(stamp, false);
      }
      if (cut != null) {
        String rest = stamp.substring(cut.by());
        Map<String, Clause> clauses = clauses(tokenize(rest, true));
        clauses.remove("from");
        String region = stamp.substring(4, cut.comments().get(0).start()).trim();
        return new Stamp(true, region, cut.comments(), stamp, clauses, mtaOnly(rest));
      }
    }
    Map<String, Clause> clauses = clauses(tokenize(stamp, false));
    Clause from = clauses.remove("from");
    StringBuilder mta = new StringBuilder();
    for (Map.Entry<String, Clause> e : clauses.entrySet()) {
      Clause c = e.getValue();
      mta.append(e.getKey()).append(' ').append(c.value == null ? "" : c.value);
      c.words.forEach(w -> mta.append(' ').append(w));
      c.comments.forEach(x -> mta.append(" (").append(x).append(')'));
      mta.append(' ');
    }
    if (from == null) {
      return new Stamp(false, "", List.of(), stamp, clauses, mtaOnly(mta.toString()));
    }
    List<Comment> comments = from.comments.stream().map(c -> new Comment(c, -1)).toList();
    return new Stamp(true, from.value == null ? "" : from.value, comments, stamp, clauses,
        mtaOnly(mta.toString()));
  }

  /** Where the from part ends: its closing run of comments and the index of the MTA's "by". */
  private record Cut(List<Comment> comments, int by) {}

  private static @Nullable Cut mtaCut(String s, boolean quotesOpaque) {
    int depth = 0;
    boolean quoted = false;
    for (int i = s.length() - 2; i > 4; i--) {
      char c = s.charAt(i);
      if (quotesOpaque && c == '"' && !escaped(s, i)) {
        quoted = !quoted;
      } else if (quoted) {
        continue;
      } else if (c == ')') {
        depth++;
      } else if (c == '(') {
        depth = Math.max(0, depth - 1);
      } else if (depth == 0 && (c == 'b' || c == 'B') && isWordAt(s, i, "by")) {
        List<Comment> run = commentsBefore(s, i, quotesOpaque);
        if (!run.isEmpty()) {
          return new Cut(run, i);
        }
      }
    }
    return null;
  }

  /** The comments, each opened at the start of a word, that directly precede index {@code end}. */
  private static List<Comment> commentsBefore(String s, int end, boolean quotesOpaque) {
    List<Comment> run = new ArrayList<>();
    int j = end - 1;
    while (true) {
      while (j > 4 && s.charAt(j) == ' ') {
        j--;
      }
      if (j <= 4 || s.charAt(j) != ')') {
        break;
      }
      int open = matchingOpen(s, j, quotesOpaque);
      // "x(10.20.3.12)": a parenthesis inside a word is part of the word (a HELO), no comment.
      if (open <= 4 || s.charAt(open - 1) != ' ') {
        break;
      }
      run.add(0, new Comment(s.substring(open + 1, j).trim(), open));
      j = open - 1;
    }
    return run;
  }

  private static int matchingOpen(String s, int close, boolean quotesOpaque) {
    int depth = 0;
    boolean quoted = false;
    for (int k = close; k >= 0; k--) {
      char c = s.charAt(k);
      if (quotesOpaque && c == '"' && !escaped(s, k)) {
        quoted = !quoted;
      } else if (quoted) {
        continue;
      } else if (c == ')') {
        depth++;
      } else if (c == '(' && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  private static boolean isWordAt(String s, int i, String word) {
    int end = i + word.length();
    return end <= s.length() && s.regionMatches(true, i, word, 0, word.length())
        && (i == 0 || s.charAt(i - 1) == ' ') && (end == s.length() || s.charAt(end) == ' ');
  }

  /** A quote preceded by an odd number of backslashes is escaped. */
  private static boolean escaped(String s, int i) {
    int n = 0;
    for (int k = i - 1; k >= 0 && s.charAt(k) == '\\'; k--) {
      n++;
    }
    return n % 2 == 1;
  }

  /**
   * The MTA's own text right of {@code by}, with what the client chose blanked: quoted strings,
   * {@code <addresses>} (a {@code >} inside a quoted local part does not close one:
   * {@code <"abuse+>(authenticated bits=0)"@campus.example.edu>}), Exim's {@code (envelope-from
   * …)} comment and the {@code for} clause. An authentication comment is never read from an
   * envelope address: the client wrote it in {@code MAIL FROM}/{@code RCPT TO} (issue 15).
   */
  private static String mtaOnly(String s) {
    String t = blankQuoted(s);
    t = ENVELOPE_FROM.matcher(t).replaceAll(" ");
    return FOR_CLAUSE.matcher(t).replaceAll(" ");
  }

  /** Exim's envelope-from comment, after addresses were blanked. */
  private static final Pattern ENVELOPE_FROM = Pattern.compile("(?i)\\(\\s*envelope-from\\b[^()]*\\)");
  /** A {@code for} clause up to the next keyword, the date's {@code ;} or the end. */
  private static final Pattern FOR_CLAUSE =
      Pattern.compile("(?i)(?<=^|\\s)for\\s.*?(?=\\s(?:by|with|id|via|from)\\s|;|$)");

  /** Quoted strings and {@code <addresses>} (chosen by the client) replaced by spaces. */
  private static String blankQuoted(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int close = c == '"' ? closingQuote(s, i) : c == '<' ? closingAngle(s, i) : -1;
      if (close > i) {
        sb.append(' ');
        i = close + 1;
      } else {
        sb.append(c);
        i++;
      }
    }
    return sb.toString();
  }

  /** Index of the {@code >} closing the address opened at {@code open}, quoted strings skipped, or -1. */
  private static int closingAngle(String s, int open) {
    for (int k = open + 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '"') {
        int q = closingQuote(s, k);
        if (q < 0) {
          return s.length() - 1; // an unclosed quote runs to the end: all of it is the client's
        }
        k = q;
      } else if (c == '>') {
        return k;
      }
    }
    return -1;
  }

  /** Index of the quote closing the quoted string opened at {@code open}, or -1. */
  private static int closingQuote(String s, int open) {
    for (int k = open + 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\\') {
        k++;
      } else if (c == '"') {
        return k;
      }
    }
    return -1;
  }

  /**
   * Reads the client from the from part. The connection (IP and reverse DNS name) comes only
   * from the last comment that records one in an MTA's shape; the HELO is everything the
   * client wrote before it and is never read for an IP or a name.
   */
  private static Client client(
      Stamp parts, Optional<String> with, boolean microsoft, boolean exim, Set<HopFlag> flags) {
    List<Comment> run = parts.comments();
    String region = parts.region();
    String single = region.indexOf(' ') >= 0 ? "" : region;
    Optional<String> regionIp = Ips.canonical(single);
    int chosen = -1;
    Connection conn = null;
    for (int k = run.size() - 1; k >= 0 && conn == null; k--) {
      Optional<Connection> c = connection(run.get(k).text());
      if (c.isPresent()) {
        conn = c.get();
        chosen = k;
      }
    }

    Optional<String> helo;
    Optional<String> rdns = Optional.empty();
    Optional<String> ip = Optional.empty();
    boolean authenticated = false;
    if (conn != null) {
      String comment = run.get(chosen).text();
      if (comment.toLowerCase(Locale.ROOT).contains("may be forged")) {
        flags.add(HopFlag.MAY_BE_FORGED);
      }
      for (int k = chosen + 1; k < run.size(); k++) {
        authenticated |= AUTH_COMMENT.matcher(run.get(k).text()).find();
      }
      Optional<String> before = heloBefore(parts, chosen);
      Matcher h = HELO_EQ.matcher(comment);
      Optional<String> heloEq = h.find() ? nonEmpty(h.group(1)) : Optional.empty();
      Optional<String> qmailHelo = Optional.empty();
      if (chosen == 1) {
        Matcher q = QMAIL_HELO.matcher(run.get(0).text());
        qmailHelo = q.matches() ? Optional.of(q.group(1)) : Optional.empty();
      }
      ip = Optional.of(conn.ip());
      if (conn.name().isPresent()) {
        // Postfix, Sendmail, Gmail: "from HELO (RDNS [IP])".
        rdns = conn.name().flatMap(ReceivedParser::realName);
        helo = before;
      } else if (conn.bracketed() && chosen == 0 && (exim || heloEq.isPresent())) {
        // Exim: "from RDNS ([IP]:port helo=HELO)": the name before the comment is Exim's
        // verified host name, HELO is only shown (helo=) when it differs from it.
        rdns = realName(single);
        helo = heloEq.or(() -> nonEmpty(single));
      } else if (!conn.bracketed() && !microsoft && qmailHelo.isPresent()) {
        // qmail: "from RDNS (HELO x) (IP)". Without the HELO comment the name may be a HELO.
        // tcpserver looks the PTR up without a forward confirmation (unless run with -p): the
        // name is whatever the owner of the client's reverse zone wrote (round 4, F2).
        rdns = realName(single);
        helo = qmailHelo;
        if (rdns.isPresent()) {
          flags.add(HopFlag.RDNS_UNCONFIRMED);
        }
      } else {
        // SMTPSVC, Courier, Domino "from HELO ([IP])"; Exchange "from EHLO (IP)": no reverse DNS.
        helo = before;
      }
    } else if (regionIp.isPresent() && single.startsWith("[") && exim && run.size() == 1
        && onlyClientTokens(run.get(0).text())) {
      // Exim without reverse DNS: "from [IP] (helo=HELO)": the literal is the connection's.
      ip = regionIp;
      Matcher h = HELO_EQ.matcher(run.get(0).text());
      helo = h.find() ? nonEmpty(h.group(1)) : Optional.empty();
    } else if (regionIp.isPresent() && single.startsWith("[") && exim && run.isEmpty()) {
      // Exim without reverse DNS whose client said HELO with the connection's own literal writes no
      // comment at all: "from [IP] by … (Exim …)". The literal is then the connection's (a HELO
      // naming another address would have made Exim add "([real IP] helo=…)"); the Exim hint comes
      // from the text right of "by", which the client cannot write, and one word holds no clause.
      ip = regionIp;
      helo = Optional.of(single);
    } else if (regionIp.isPresent() && run.isEmpty()
        && with.map(w -> w.toUpperCase(Locale.ROOT).startsWith("HTTP")).orElse(false)) {
      // Webmail front ends ("from 192.0.2.1 by … with HTTP") record the web client's IP.
      ip = regionIp;
      helo = Optional.empty();
    } else {
      helo = nonEmpty(region);
      if (regionIp.isPresent()) {
        flags.add(HopFlag.HELO_LITERAL_ONLY);
      }
    }
    if (ip.isPresent() && rdns.isEmpty() && !microsoft) {
      flags.add(HopFlag.NO_REVERSE_DNS);
    }
    // "from . (…)": a HELO that is only the root dot names nothing.
    return new Client(helo.map(ReceivedParser::stripDot).flatMap(ReceivedParser::nonEmpty), rdns, ip,
        authenticated);
  }

  /** What the client wrote between {@code from} and comment {@code index}. */
  private static Optional<String> heloBefore(Stamp parts, int index) {
    int start = parts.comments().get(index).start();
    if (start < 0) {
      return nonEmpty(parts.region());
    }
    return nonEmpty(parts.stamp().substring(Math.min(4, start), start));
  }

  /**
   * The connection a comment records in an MTA's shape, if any. Client-chosen parts are removed
   * first: nested comments ({@code (may be forged)}), quoted strings (a TLS client certificate's
   * CN), Exim's {@code helo=}, {@code ident=} and {@code port=} tokens; a qmail {@code (HELO x)}
   * comment records none. The address must stand first, or second after one name: {@code
   * (Authenticated sender: [192.0.2.1])} records no connection.
   */
  private static Optional<Connection> connection(String comment) {
    if (QMAIL_HELO.matcher(comment).matches()) {
      return Optional.empty();
    }
    String t = CLIENT_TOKEN.matcher(topLevel(comment)).replaceAll(" ");
    t = EXIM_PORT.matcher(t).replaceAll(" ").trim();
    if (t.isEmpty()) {
      return Optional.empty();
    }
    String[] words = t.split(" +");
    Optional<String> first = bracketed(words[0]);
    if (first.isPresent()) {
      return Optional.of(new Connection(first.get(), Optional.empty(), true));
    }
    if (words.length >= 2) {
      Optional<String> second = bracketed(words[1]);
      if (second.isPresent()) {
        return Optional.of(new Connection(second.get(), Optional.of(identFree(words[0])), true));
      }
    }
    int open = words[0].indexOf('[');
    if (open > 0) {
      Optional<String> glued = bracketed(words[0].substring(open));
      if (glued.isPresent()) { // Postfix at pobox: "unknown[192.0.2.1]"
        return Optional.of(new Connection(glued.get(), Optional.of(identFree(words[0].substring(0, open))), true));
      }
    }
    return bareIp(words[0]).map(ip -> new Connection(ip, Optional.empty(), false));
  }

  /** "[192.0.2.1]", "[IPv6:2001:db8::1]", "[192.0.2.1]:51234". */
  private static Optional<String> bracketed(String word) {
    if (!word.startsWith("[")) {
      return Optional.empty();
    }
    int close = word.indexOf(']');
    if (close < 0 || !(close == word.length() - 1 || word.substring(close + 1).matches(":\\d{1,5}"))) {
      return Optional.empty();
    }
    return Ips.canonical(word.substring(0, close + 1));
  }

  /** "user@host", "IDENT:user@host": the host. */
  private static String identFree(String name) {
    int at = name.lastIndexOf('@');
    return at >= 0 ? name.substring(at + 1) : name;
  }

  /** A comment's own text: nested comments and quoted strings left out. */
  private static String topLevel(String comment) {
    StringBuilder sb = new StringBuilder(comment.length());
    int depth = 0;
    for (int i = 0; i < comment.length(); i++) {
      char c = comment.charAt(i);
      if (c == '"' && depth == 0) {
        int close = closingQuote(comment, i);
        if (close > i) {
          sb.append(' ');
          i = close;
          continue;
        }
      }
      if (c == '(') {
        depth++;
        sb.append(' ');
      } else if (c == ')' && depth > 0) {
        depth--;
      } else if (depth == 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Exim's "(helo=X)", "(port=1234 helo=X ident=Y)": nothing but client tokens. */
  private static boolean onlyClientTokens(String comment) {
    String t = EXIM_PORT.matcher(CLIENT_TOKEN.matcher(comment).replaceAll(" ")).replaceAll(" ");
    return t.isBlank() && !comment.isBlank();
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
      return Optional.empty(); // bracketed: a connection in another shape
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

  private static Optional<String> withText(@Nullable Clause with) {
    if (with == null || with.value == null || with.value.isEmpty()) {
      return Optional.empty();
    }
    if (with.value.equalsIgnoreCase("Microsoft") && !with.words.isEmpty()) {
      return Optional.of(with.value + " " + String.join(" ", with.words));
    }
    return Optional.of(with.value);
  }

  private static List<String> software(String raw, @Nullable Clause by) {
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
    // From the right: the receiving MTA writes "; date" last, so the last ';' outside comments
    // counted from the end is its separator. Counting parentheses from the left would let a
    // client's HELO with an unclosed '(' (and a ';' of its own) pull the cut into the HELO,
    // making the whole line text the client wrote (red-team finding).
    int depth = 0;
    int last = -1;
    for (int i = s.length() - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == ')') {
        depth++;
      } else if (c == '(' && depth > 0) {
        depth--;
      } else if (c == ';') {
        if (last < 0) {
          last = i;
        }
        if (depth == 0) {
          return i;
        }
      }
    }
    return last;
  }

  private record Token(boolean comment, String text) {}

  /**
   * Words and comments. A comment opens only at the start of a word. In text the MTA wrote
   * ({@code mtaWritten}), a word also ends at a parenthesis ({@code SMTPSVC(5.0.2195.5329)}) and a
   * quoted string (an envelope address's local part) is one opaque piece; in text that may hold
   * the client's HELO, a word ends only at white space, so {@code x(10.20.3.12)} is one word.
   */
  private static List<Token> tokenize(String s, boolean mtaWritten) {
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
          if (mtaWritten && d == '"') {
            int close = closingQuote(s, j);
            if (close > j) {
              j = close;
              continue;
            }
          }
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
        while (j < n && s.charAt(j) != ' ') {
          char d = s.charAt(j);
          if (mtaWritten && (d == '(' || d == ')')) {
            break;
          }
          int close = mtaWritten && d == '"' ? closingQuote(s, j) : -1;
          j = close > j ? close + 1 : j + 1;
        }
        tokens.add(new Token(false, s.substring(i, j)));
        i = j;
      }
    }
    return tokens;
  }

  /** Clause of a Received stamp: keyword, its value and the words and comments after it. */
  private static final class Clause {
    @Nullable String value;
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

  private static Optional<String> nonEmpty(@Nullable String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }

  private static String stripDot(@Nullable String s) {
    if (s == null) {
      return "";
    }
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static @Nullable String stripAngles(@Nullable String s) {
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
