package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/** macos/io.labscan.agent.plist, read with the JDK's XML parser (no DTD fetch, no external entities). */
class LaunchdPlistTest {
  private static final String STATE = "/Library/Application Support/LabScan/agent";
  private static Map<String, Element> plist;

  @BeforeAll
  static void parse() throws Exception {
    plist = topLevelDict(InstallerFiles.file("macos/io.labscan.agent.plist"));
  }

  /** The key/value pairs of the top-level dict. */
  static Map<String, Element> topLevelDict(Path file) throws ParserConfigurationException, IOException, SAXException {
    Document doc = safeBuilder().parse(file.toFile());
    Element dict = children(doc.getDocumentElement()).get(0);
    assertThat(dict.getTagName()).isEqualTo("dict");
    Map<String, Element> entries = new LinkedHashMap<>();
    List<Element> items = children(dict);
    for (int i = 0; i + 1 < items.size(); i += 2) {
      assertThat(items.get(i).getTagName()).isEqualTo("key");
      entries.put(items.get(i).getTextContent(), items.get(i + 1));
    }
    return entries;
  }

  /** A DOM parser that refuses DOCTYPE tricks: the plist's Apple DTD is neither fetched nor expanded. */
  static DocumentBuilder safeBuilder() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setNamespaceAware(false);
    return f.newDocumentBuilder();
  }

  private static List<Element> children(Element parent) {
    List<Element> elements = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        elements.add(e);
      }
    }
    return elements;
  }

  private static List<String> programArguments() {
    return children(plist.get("ProgramArguments")).stream().map(Element::getTextContent).toList();
  }

  @Test
  void isLabelledWithTheNameLaunchctlUses() {
    assertThat(plist.get("Label").getTextContent()).isEqualTo("io.labscan.agent");
  }

  @Test
  void startsAtBootAndIsRelaunchedWheneverItExits() {
    assertThat(plist.get("RunAtLoad").getTagName()).isEqualTo("true");
    assertThat(plist.get("KeepAlive").getTagName()).isEqualTo("true");
  }

  @Test
  void logsUnderLibraryLogsLabScan() {
    assertThat(plist.get("StandardErrorPath").getTextContent()).startsWith("/Library/Logs/LabScan/");
  }

  @Test
  void runsTheAgentServiceWithTheInstalledJarAndConfig() {
    List<String> args = programArguments();
    assertThat(args.get(0)).isEqualTo("/usr/bin/java");
    assertThat(args.subList(args.indexOf("-jar"), args.size())).containsExactly("-jar",
        "/usr/local/share/labscan-agent/labscan-agent.jar", "run", "--config", "/Library/Application Support/LabScan/agent.yaml");
  }

  @Test
  void usesExactlyTheJvmFlagsOfTheSharedUnixProfile() throws IOException {
    List<String> expected = new ArrayList<>();
    for (String line : Files.readAllLines(InstallerFiles.file("unix/agent.jvm.options"))) {
      String flag = line.replaceAll("#.*", "").strip();
      if (!flag.isEmpty()) {
        expected.add(flag.replace("@STATE_DIR@", STATE));
      }
    }
    expected.add("-Xshare:auto");

    List<String> args = programArguments();
    assertThat(args.subList(1, args.indexOf("-jar"))).containsExactlyElementsOf(expected);
  }

  @Test
  void theParserRefusesExternalEntities() throws Exception {
    Path dir = Files.createTempDirectory("plist-xxe");
    try {
      Path secret = Files.writeString(dir.resolve("secret.txt"), "token-8f1c");
      Path hostile = Files.writeString(dir.resolve("hostile.plist"), """
          <?xml version="1.0"?>
          <!DOCTYPE plist [<!ENTITY secret SYSTEM "%s">]>
          <plist version="1.0"><dict><key>Label</key><string>&secret;</string></dict></plist>
          """.formatted(secret.toUri()));
      Map<String, Element> parsed;
      try {
        parsed = topLevelDict(hostile);
      } catch (SAXException refused) {
        return; // refusing the document outright is just as safe
      }
      assertThat(parsed.get("Label").getTextContent()).doesNotContain("token-8f1c");
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }
}
