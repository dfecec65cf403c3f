package io.labscan.agent.checks.mail;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Subject lines the Klez family sends itself under, as reported in vendor write-ups and
 * press coverage of Klez.E/Klez.H (2002): a fixed list, plus the patterns "a/an X game"
 * (also patch, tool, website), "X removal tools", and fake bounces "Undeliverable mail--X" /
 * "Returned mail--X". Most are ordinary phrases, so a match alone proves nothing; the rule
 * using it also demands an executable attachment.
 *
 * <p>Matching ignores case, runs of whitespace, curly apostrophes, leading {@code Re:} /
 * {@code Fw:} / {@code Fwd:} and trailing punctuation.
 */
final class KlezSubjects {
  private static final Set<String> FIXED = Set.of(
      "worm klez.e immunity",
      "let's be friends",
      "meeting notice",
      "some questions",
      "honey",
      "how are you",
      "darling",
      "so cool a flash,enjoy it",
      "your password",
      "congratulations");
  private static final List<Pattern> PATTERNS = List.of(
      Pattern.compile("an? [\\w .'-]{1,40} (game|patch|tool|website)"),
      Pattern.compile("[\\w .'-]{1,40} removal tools?"),
      Pattern.compile("(undeliverable|returned) mail--.{0,80}"));
  private static final Pattern REPLY_PREFIX = Pattern.compile("^((re|fw|fwd)\\s*:\\s*)+");
  private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[\\s!?.,]+$");

  private KlezSubjects() {}

  static boolean matches(String subject) {
    String s = normalize(subject);
    if (FIXED.contains(s)) {
      return true;
    }
    for (Pattern pattern : PATTERNS) {
      if (pattern.matcher(s).matches()) {
        return true;
      }
    }
    return false;
  }

  private static String normalize(String subject) {
    String s = subject.replace('\u2019', '\'').strip().replaceAll("\\s+", " ")
        .toLowerCase(Locale.ROOT);
    s = REPLY_PREFIX.matcher(s).replaceFirst("");
    return TRAILING_PUNCTUATION.matcher(s).replaceFirst("");
  }
}
