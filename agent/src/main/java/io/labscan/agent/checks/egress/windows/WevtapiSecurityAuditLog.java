package io.labscan.agent.checks.egress.windows;

import com.sun.jna.Memory;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Wevtapi;
import com.sun.jna.platform.win32.WevtapiUtil;
import com.sun.jna.platform.win32.Winevt.EVT_HANDLE;
import com.sun.jna.platform.win32.Winevt;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Security log through the Windows Event Log API ({@code wevtapi.dll}): an XPath query
 * for 5156 or 5157 events after the last record read, each rendered as XML. Reading the Security
 * log needs administrator rights (SeSecurityPrivilege).
 */
final class WevtapiSecurityAuditLog implements SecurityAuditLog {
  private static final int ERROR_NO_MORE_ITEMS = 259;
  private static final int BATCH = 64;
  private static final int NEXT_TIMEOUT_MILLIS = 1000;

  @Override
  public long latestRecordId(int eventId) throws IOException {
    List<String> newest = query("*[System[EventID=" + eventId + "]]",
        Winevt.EVT_QUERY_FLAGS.EvtQueryChannelPath | Winevt.EVT_QUERY_FLAGS.EvtQueryReverseDirection, 1);
    if (newest.isEmpty()) {
      return 0;
    }
    return WfpAuditEventParser.parseRefused(newest.get(0), Set.of()).map(WfpAuditEventParser.Refused::recordId)
        .orElse(0L);
  }

  @Override
  public List<String> eventsAfter(int eventId, long recordId, Set<Integer> ports, int max) throws IOException {
    return query(xpath(eventId, recordId, ports),
        Winevt.EVT_QUERY_FLAGS.EvtQueryChannelPath | Winevt.EVT_QUERY_FLAGS.EvtQueryForwardDirection, max);
  }

  /** The 5156 query, as {@link #xpath(int, long, Set)}. */
  static String xpath(long recordId, Set<Integer> ports) {
    return xpath(WfpAuditEventParser.PERMITTED, recordId, ports);
  }

  /** Filters in the log service, so only matching events cross into the agent. */
  static String xpath(int eventId, long recordId, Set<Integer> ports) {
    String portTest = new TreeSet<>(ports).stream()
        .map(p -> "Data[@Name='DestPort']='" + p + "'")
        .collect(Collectors.joining(" or "));
    return "*[System[EventID=" + eventId + " and EventRecordID>" + Math.max(0, recordId) + "]"
        + " and EventData[Data[@Name='Direction']='" + WfpAuditEventParser.OUTBOUND + "'"
        + " and Data[@Name='Protocol']='6'"
        + (portTest.isEmpty() ? "" : " and (" + portTest + ")") + "]]";
  }

  private static List<String> query(String xpath, int flags, int max) throws IOException {
    EVT_HANDLE results = Wevtapi.INSTANCE.EvtQuery(null, "Security", xpath, flags);
    if (results == null) {
      throw new IOException("EvtQuery(Security) failed: error " + Kernel32.INSTANCE.GetLastError()
          + " (the agent needs administrator rights to read the Security log)");
    }
    List<String> out = new ArrayList<>();
    try {
      EVT_HANDLE[] handles = new EVT_HANDLE[BATCH];
      IntByReference returned = new IntByReference();
      while (out.size() < max) {
        if (!Wevtapi.INSTANCE.EvtNext(results, Math.min(BATCH, max - out.size()), handles, NEXT_TIMEOUT_MILLIS, 0,
            returned)) {
          int error = Kernel32.INSTANCE.GetLastError();
          if (error != ERROR_NO_MORE_ITEMS) {
            throw new IOException("EvtNext failed: error " + error);
          }
          break;
        }
        for (int i = 0; i < returned.getValue(); i++) {
          try {
            Memory xml = WevtapiUtil.EvtRender(null, handles[i], Winevt.EVT_RENDER_FLAGS.EvtRenderEventXml,
                new IntByReference());
            out.add(xml.getWideString(0));
          } finally {
            Wevtapi.INSTANCE.EvtClose(handles[i]);
          }
        }
      }
    } finally {
      Wevtapi.INSTANCE.EvtClose(results);
    }
    return out;
  }
}
