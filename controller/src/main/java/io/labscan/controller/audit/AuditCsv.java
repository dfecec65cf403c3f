package io.labscan.controller.audit;

import io.labscan.controller.text.Text;
import java.util.List;

/**
 * The audit log as CSV (RFC 4180) for spreadsheets and SIEM imports. Every cell goes through
 * {@link Text#csvCell}: always quoted (a {@code ;} or {@code ,} never splits it, whatever the
 * spreadsheet's locale), a cell starting with {@code = + - @} (a user name or a failed login's
 * claimed name may) gets a leading apostrophe, so a spreadsheet never evaluates it as a formula;
 * terminal escapes are defused too. The sequence number stays a bare number.
 */
public final class AuditCsv {
  public static final String HEADER = "seq,at,actorKind,actor,action,target,detail,channel,address";

  private AuditCsv() {}

  public static String render(List<AuditEntry> entries) {
    StringBuilder sb = new StringBuilder(HEADER).append("\r\n");
    for (AuditEntry e : entries) {
      sb.append(Text.csvNumber(e.seq())).append(',')
          .append(Text.csvCell(e.at().toString())).append(',')
          .append(Text.csvCell(e.actor().kind().id())).append(',')
          .append(Text.csvCell(e.actor().name())).append(',')
          .append(Text.csvCell(e.action())).append(',')
          .append(Text.csvCell(e.target())).append(',')
          .append(Text.csvCell(e.detail())).append(',')
          .append(Text.csvCell(e.source().channel())).append(',')
          .append(Text.csvCell(e.source().address())).append("\r\n");
    }
    return sb.toString();
  }
}
