package io.labscan.controller.cli;

import static java.util.Objects.requireNonNull;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Progress of long CLI work ({@code import} of many files, recomputing every verdict, loading
 * the demo lab) as one status line on standard error, rewritten in place with {@code \r} at most
 * every 250 ms and blanked when the work ends — the pattern of the agent's {@code scan}.
 *
 * <p>Only on an interactive terminal ({@code System.console() != null}, and on JDK 22 and later,
 * where a console exists for redirected output too, {@code Console.isTerminal()}): when output
 * goes to a file, a pipe or a test, {@link #forTerminal} returns a progress that prints nothing,
 * so scripts and logs see only the results. The text is built by the caller from counts and fixed
 * words; nothing an endpoint wrote reaches it.
 */
final class Progress implements AutoCloseable {
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private static final Progress QUIET = new Progress(null, "", () -> 0);

  private final @Nullable PrintStream out; // null: quiet
  private final String what;
  private final LongSupplier nanoTime;
  private long lastShown;
  private boolean shownOnce;
  private int shownLength;

  private Progress(@Nullable PrintStream out, String what, LongSupplier nanoTime) {
    this.out = out;
    this.what = requireNonNull(what, "what");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  /** Progress on standard error when it is a terminal; otherwise silent. */
  static Progress forTerminal(String what) {
    return onTerminal() ? to(System.err, what, System::nanoTime) : quiet();
  }

  /** Whether this process talks to an interactive terminal. */
  static boolean onTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // JDK 22+: System.console() is no longer null when redirected; isTerminal() tells.
      Method isTerminal = Console.class.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(console));
    } catch (NoSuchMethodException e) {
      return true; // JDK 17-21: a console exists only for a terminal
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  /** Progress that prints nothing. */
  static Progress quiet() {
    return QUIET;
  }

  /** Progress written to {@code out} (tests inject the stream and the clock). */
  static Progress to(PrintStream out, String what, LongSupplier nanoTime) {
    return new Progress(requireNonNull(out, "out"), what, nanoTime);
  }

  /** {@code done} of {@code total} items are finished; shown when 250 ms passed since the last line. */
  void step(long done, long total) {
    if (out == null) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (shownOnce && now - lastShown < INTERVAL_NANOS && done < total) {
      return;
    }
    shownOnce = true;
    lastShown = now;
    String text = total > 0
        ? String.format(Locale.ROOT, "%s: %,d of %,d (%d%%)", what, done, total, Math.min(100, done * 100 / total))
        : String.format(Locale.ROOT, "%s: %,d", what, done);
    String padded = text.length() < shownLength ? text + " ".repeat(shownLength - text.length()) : text;
    out.print("\r" + padded);
    out.flush();
    shownLength = text.length();
  }

  /** Blanks the status line, so that the result printed next starts on a clean line. */
  @Override
  public void close() {
    if (out != null && shownLength > 0) {
      out.print("\r" + " ".repeat(shownLength) + "\r");
      out.flush();
      shownLength = 0;
    }
  }
}
