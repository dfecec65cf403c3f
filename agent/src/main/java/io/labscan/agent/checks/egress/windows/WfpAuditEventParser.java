package io.labscan.agent.checks.egress.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;
import org.jspecify.annotations.Nullable;

/**
 * Parses Windows Security event 5156 ("The Windows Filtering Platform has permitted a
 * connection") as the event log renders it in XML ({@code EvtRender(EvtRenderEventXml)},
 * or {@code wevtutil qe Security /f:xml}). Logged for every permitted connection once
 * {@code auditpol /set /subcategory:"Filtering Platform Connection" /success:enable} is on.
 *
 * <pre>
 * &lt;EventData&gt;
 *   &lt;Data Name="ProcessID"&gt;4556&lt;/Data&gt;
 *   &lt;Data Name="Application"&gt;\device\harddiskvolume2\Users\ann\appdata\local\temp\winkxyz.exe&lt;/Data&gt;
 *   &lt;Data Name="Direction"&gt;%%14593&lt;/Data&gt;          (outbound; %%14592 is inbound)
 *   &lt;Data Name="SourceAddress"&gt;10.0.0.100&lt;/Data&gt; &lt;Data Name="SourcePort"&gt;49278&lt;/Data&gt;
 *   &lt;Data Name="DestAddress"&gt;192.0.2.25&lt;/Data&gt; &lt;Data Name="DestPort"&gt;25&lt;/Data&gt;
 *   &lt;Data Name="Protocol"&gt;6&lt;/Data&gt;                   (TCP)
 * </pre>
 * Total: anything else, malformed XML included, yields empty. DTDs are refused, so the
 * text cannot pull in entities or files.
 */
public final class WfpAuditEventParser {
  /** Outbound, as the unformatted message string id; formatted logs say "Outbound". */
  static final String OUTBOUND = "%%14593";
  private static final int MAX_XML = 64 * 1024;

  /**
   * A parsed audit record.
   *
   * @param recordId the log's EventRecordID, for resuming after it
   * @param event the connection, when the record is an outbound TCP 5156 to a watched port
   */
  public record Parsed(long recordId, Optional<EgressEvent> event) {
    public Parsed {
      requireNonNull(event, "event");
    }
  }

  private WfpAuditEventParser() {}

  public static Optional<Parsed> parse(String xml, Set<Integer> ports) {
    requireNonNull(xml, "xml");
    requireNonNull(ports, "ports");
    if (xml.length() > MAX_XML) {
      return Optional.empty();
    }
    Document doc;
    try {
      doc = builder().parse(new InputSource(new StringReader(xml)));
    } catch (SAXException | IOException | ParserConfigurationException | RuntimeException e) {
      return Optional.empty();
    }
    Element root = doc.getDocumentElement();
    if (root == null || !"Event".equals(localName(root))) {
      return Optional.empty();
    }
    Optional<Element> system = child(root, "System");
    if (system.isEmpty()) {
      return Optional.empty();
    }
    long recordId = child(system.get(), "EventRecordID").map(e -> number(e.getTextContent())).orElse(-1L);
    if (recordId < 0) {
      return Optional.empty();
    }
    Optional<EgressEvent> event = Optional.empty();
    long eventId = child(system.get(), "EventID").map(e -> number(e.getTextContent())).orElse(-1L);
    Optional<Instant> time = child(system.get(), "TimeCreated").flatMap(e -> instant(e.getAttribute("SystemTime")));
    if (eventId == 5156 && time.isPresent()) {
      event = connection(data(root), ports, time.get());
    }
    return Optional.of(new Parsed(recordId, event));
  }

  private static Optional<EgressEvent> connection(Map<String, String> d, Set<Integer> ports, Instant time) {
    String direction = d.getOrDefault("Direction", "");
    if (!(OUTBOUND.equals(direction) || "Outbound".equalsIgnoreCase(direction)) || number(d.get("Protocol")) != 6) {
      return Optional.empty();
    }
    long sport = number(d.get("SourcePort"));
    long dport = number(d.get("DestPort"));
    if (sport > 0xffff || dport > 0xffff || !ports.contains((int) dport)) {
      return Optional.empty();
    }
    Optional<Endpoint> local = Endpoint.parse(d.getOrDefault("SourceAddress", ""), (int) Math.max(sport, 0));
    Optional<Endpoint> remote = Endpoint.parse(d.getOrDefault("DestAddress", ""), (int) dport);
    if (local.isEmpty() || remote.isEmpty() || sport < 0) {
      return Optional.empty();
    }
    long pid = number(d.get("ProcessID"));
    String application = d.getOrDefault("Application", "");
    ProcessInfo owner = pid > 0
        ? new ProcessInfo(pid, EgressPolicy.fileName(application), application, "")
        : ProcessInfo.unknown();
    return Optional.of(new EgressEvent(time, local.get(), remote.get(), owner));
  }

  private static Map<String, String> data(Element root) {
    Map<String, String> out = new HashMap<>();
    child(root, "EventData").ifPresent(eventData -> {
      NodeList nodes = eventData.getChildNodes();
      for (int i = 0; i < nodes.getLength(); i++) {
        if (nodes.item(i) instanceof Element e && "Data".equals(localName(e)) && e.hasAttribute("Name")) {
          out.putIfAbsent(e.getAttribute("Name"), e.getTextContent().strip());
        }
      }
    });
    return out;
  }

  private static Optional<Element> child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(localName(e))) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static String localName(Element e) {
    String name = e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    int colon = name.indexOf(':');
    return colon >= 0 ? name.substring(colon + 1) : name;
  }

  /** Non-negative decimal, or -1. */
  private static long number(@Nullable String s) {
    if (s == null) {
      return -1;
    }
    String t = s.strip();
    if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Long.parseLong(t);
  }

  private static Optional<Instant> instant(String s) {
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static DocumentBuilder builder() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    DocumentBuilder b = f.newDocumentBuilder();
    b.setErrorHandler(new DefaultHandler()); // fail on errors without printing them
    return b;
  }
}
