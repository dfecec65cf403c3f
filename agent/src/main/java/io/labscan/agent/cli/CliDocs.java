package io.labscan.agent.cli;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.cli.HelpExamples;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Build-time generator (run by the installers module, never by the agent): writes a CLI's bash
 * completion script ({@code picocli.AutoComplete}) and its man page, {@code NAME.1.gz}, for the
 * .deb packages.
 *
 * <p>The man page is roff written straight from the picocli model — NAME, SYNOPSIS, DESCRIPTION,
 * then one COMMANDS subsection per visible command holding its {@code --help} text verbatim
 * (options, exit codes, example), and EXIT STATUS. Rendering the help text itself, rather than
 * a second description of each option (AsciiDoc through Asciidoctor), keeps the man page and
 * {@code --help} from ever disagreeing, and needs no extra toolchain. Gzipped with a zero
 * timestamp (Java's GZIP header carries none), so builds are reproducible.
 *
 * <p>Usage: {@code CliDocs MAIN_CLASS OUT_DIR}, where MAIN_CLASS has a static
 * {@code commandLine()} (AgentMain, ControllerMain).
 */
public final class CliDocs {
  private CliDocs() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: CliDocs MAIN_CLASS OUT_DIR");
      System.exit(2);
    }
    Method factory = Class.forName(args[0]).getMethod("commandLine");
    CommandLine top = (CommandLine) factory.invoke(null);
    Path out = Files.createDirectories(Path.of(args[1]));
    write(top, out);
  }

  /** Writes {@code OUT/bash-completion/NAME} and {@code OUT/man1/NAME.1.gz}. */
  public static void write(CommandLine top, Path out) throws IOException {
    requireNonNull(top, "top");
    String name = top.getCommandName();
    Path completion = Files.createDirectories(out.resolve("bash-completion")).resolve(name);
    Files.writeString(completion, AutoComplete.bash(name, top), StandardCharsets.UTF_8);
    Path man = Files.createDirectories(out.resolve("man1")).resolve(name + ".1.gz");
    try (OutputStream file = Files.newOutputStream(man);
        Writer w = new OutputStreamWriter(new GZIPOutputStream(file), StandardCharsets.UTF_8)) {
      w.write(manPage(top));
    }
  }

  /** The roff source of {@code top}'s man page. */
  public static String manPage(CommandLine top) {
    CommandLine.Model.CommandSpec spec = top.getCommandSpec();
    String name = top.getCommandName();
    String version = spec.version().length > 0 ? spec.version()[0] : name;
    StringBuilder roff = new StringBuilder();
    roff.append(".TH ").append(quote(name.toUpperCase(Locale.ROOT))).append(" 1 \"\" ").append(quote(version))
        .append(" \"LabScan\"\n");
    roff.append(".SH NAME\n").append(escape(name)).append(" \\- ")
        .append(escape(String.join(" ", spec.usageMessage().description()))).append('\n');
    roff.append(".SH SYNOPSIS\n.B ").append(escape(name)).append("\n.I COMMAND\n[\\fIOPTIONS\\fR]\n");
    roff.append(".SH DESCRIPTION\n").append(escape(String.join(" ", spec.usageMessage().description())))
        .append("\nEvery command is listed below with its options and an example; ")
        .append(escape(name)).append(" \\fICOMMAND\\fR \\-\\-help shows the same text.\n");
    roff.append(".SH COMMANDS\n");
    List<CommandLine> commands = HelpExamples.visibleCommands(top);
    for (CommandLine command : commands.subList(1, commands.size())) {
      roff.append(".SS ").append(escape(command.getCommandSpec().qualifiedName())).append('\n');
      roff.append(".nf\n");
      for (String line : command.getUsageMessage(CommandLine.Help.Ansi.OFF).split("\n", -1)) {
        roff.append(line.startsWith(".") || line.startsWith("'") ? "\\&" : "").append(escape(line)).append('\n');
      }
      roff.append(".fi\n");
    }
    roff.append(".SH EXIT STATUS\n.nf\n");
    spec.usageMessage().exitCodeList().forEach((code, meaning) ->
        roff.append(escape(code.strip())).append("  ").append(escape(meaning)).append('\n'));
    roff.append(".fi\n");
    roff.append(".SH SEE ALSO\n").append(name.equals("labscan-agent") ? "labscan-controller(1)" : "labscan-agent(1)")
        .append(", /usr/share/doc/").append(name).append("/README.md\n");
    return roff.toString();
  }

  private static String escape(String text) {
    return text.replace("\\", "\\e").replace("-", "\\-");
  }

  private static String quote(String text) {
    return "\"" + text.replace("\"", "") + "\"";
  }
}
