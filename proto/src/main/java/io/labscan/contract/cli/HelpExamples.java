package io.labscan.contract.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/**
 * One realistic example at the end of every command's {@code --help} ("Example:" section),
 * for both CLIs.
 *
 * <p>The examples live in one properties file per CLI, keyed by the command's path below the
 * top command ({@code scan}, {@code user.add}; the top command is {@code _}), rather than in
 * each command's annotation: the whole set reads as one page, a test checks that every visible
 * command has one, and adding an example never touches a command's code.
 */
public final class HelpExamples {
  /** The key of the top command itself. */
  public static final String TOP = "_";
  /** Longest example line: picocli wraps help at 80 columns, and a wrapped command cannot be pasted. */
  static final int WIDTH = 78;

  private HelpExamples() {}

  /** Sets the "Example:" footer of {@code top} and every command under it from {@code resource}. */
  public static CommandLine apply(CommandLine top, Class<?> owner, String resource) {
    requireNonNull(top, "top");
    Properties examples = new Properties();
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource + " beside " + owner.getName());
      }
      examples.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    visit(top, TOP, examples);
    return top;
  }

  private static void visit(CommandLine command, String key, Properties examples) {
    String example = examples.getProperty(key);
    if (example != null) {
      List<String> lines = new ArrayList<>();
      for (String line : example.strip().split("\n")) {
        for (String part : wrap(line.strip(), WIDTH)) {
          lines.add(part.replace("%", "%%"));
        }
      }
      command.getCommandSpec().usageMessage().footerHeading("%nExample:%n").footer(lines.toArray(String[]::new));
    }
    command.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name)) { // once per command, not per alias
        visit(sub, key.equals(TOP) ? name : key + "." + name, examples);
      }
    });
  }

  /** Every command a user can see under {@code top} (top included; hidden ones and aliases left out). */
  public static List<CommandLine> visibleCommands(CommandLine top) {
    List<CommandLine> all = new ArrayList<>();
    collect(top, all);
    return all;
  }

  private static void collect(CommandLine command, List<CommandLine> all) {
    all.add(command);
    command.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name) && !sub.getCommandSpec().usageMessage().hidden()) {
        collect(sub, all);
      }
    });
  }

  /**
   * The words of an example line as a POSIX shell passes them: split at blanks, quotes
   * removed, stopping at a redirection ({@code > file}); the program name first.
   */
  public static List<String> words(String example) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false; // a word has begun; it may still be empty ('' is a word)
    char quote = 0;
    for (int i = 0; i < example.length(); i++) {
      char c = example.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if ((c == '>' || c == '<' || c == '|') && !inWord) {
        return words;
      } else {
        inWord = true;
        word.append(c);
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /**
   * An example line as help shows it: indented by two, and broken with shell line continuations
   * ({@code  \\}, the next line indented by six) at blanks outside quotes so no line exceeds
   * {@code width}; a word longer than that stays whole.
   */
  static List<String> wrap(String example, int width) {
    List<String> lines = new ArrayList<>();
    String indent = "  ";
    StringBuilder line = new StringBuilder(indent);
    int lastBreak = -1;
    char quote = 0;
    for (int i = 0; i < example.length(); i++) {
      char c = example.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ' ') {
        lastBreak = line.length();
      }
      line.append(c);
      if (line.length() > width - 2 && lastBreak > indent.length()) {
        String rest = line.substring(lastBreak + 1);
        lines.add(line.substring(0, lastBreak) + " \\");
        indent = "      ";
        line = new StringBuilder(indent).append(rest);
        lastBreak = -1;
      }
    }
    lines.add(line.toString());
    return lines;
  }

  /** The example block of a help text joined back into one command line per example. */
  public static List<String> examplesIn(String help) {
    int start = help.indexOf("\nExample:\n");
    if (start < 0) {
      return List.of();
    }
    List<String> examples = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : help.substring(start + "\nExample:\n".length()).split("\n")) {
      if (line.isBlank()) {
        break;
      }
      String text = line.strip();
      boolean continues = text.endsWith(" \\");
      current.append(current.length() == 0 ? "" : " ").append(continues ? text.substring(0, text.length() - 2) : text);
      if (!continues) {
        examples.add(current.toString());
        current = new StringBuilder();
      }
    }
    return examples;
  }
}
