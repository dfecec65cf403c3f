package io.labscan.agent.checks.av.macos;

import io.labscan.agent.checks.av.AvText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.DocumentType;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads Apple property lists: XML ({@code <plist>} with dict, array, string, integer, real,
 * true, false, date, data) and, through {@link BinaryPlistReader}, binary {@code bplist00}.
 *
 * <p>Plists from a scanned disk are hostile input. The XML parser loads no external DTD and
 * resolves no external entity (Apple's own DOCTYPE names a DTD on the web; it is never
 * fetched), entity expansion is capped, and a document that declares its own DTD subset is
 * rejected: Apple never writes one, and it is how entity attacks are carried. Input size,
 * nesting depth and element count are bounded.
 *
 * <p>Total: {@link #parse} either returns a value or throws {@link PlistParseException};
 * no other exception escapes, whatever the bytes.
 */
public final class PlistReader {
  /** Largest plist accepted; XProtect's are a few kilobytes. */
  public static final int MAX_BYTES = 1 << 20;
  static final int MAX_DEPTH = 64;
  static final int MAX_ELEMENTS = 200_000;

  private static final byte[] BINARY_MAGIC = "bplist".getBytes(StandardCharsets.US_ASCII);

  private PlistReader() {}

  /** The top-level value of a plist. */
  public static PlistValue parse(byte[] bytes) throws PlistParseException {
    if (bytes == null || bytes.length == 0) {
      throw new PlistParseException("empty plist");
    }
    if (bytes.length > MAX_BYTES) {
      throw new PlistParseException("plist larger than " + MAX_BYTES + " bytes");
    }
    if (startsWith(bytes, BINARY_MAGIC)) {
      return BinaryPlistReader.parse(bytes);
    }
    try {
      return parseXml(bytes);
    } catch (PlistParseException e) {
      throw e;
    } catch (RuntimeException e) {
      // The JDK's parser is not specified to be total; keep the promise regardless.
      throw new PlistParseException("unreadable XML plist (" + e.getClass().getSimpleName()
          + ")", e);
    }
  }

  private static PlistValue parseXml(byte[] bytes) throws PlistParseException {
    Document document;
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
      builder.setErrorHandler(STRICT);
      document = builder.parse(new InputSource(new ByteArrayInputStream(bytes)));
    } catch (SAXException e) {
      throw new PlistParseException("not well-formed XML: " + saxMessage(e), e);
    } catch (IOException e) {
      throw new PlistParseException("unreadable XML: " + e.getMessage(), e);
    } catch (ParserConfigurationException e) {
      throw new PlistParseException("XML parser unavailable: " + e.getMessage(), e);
    }
    DocumentType doctype = document.getDoctype();
    if (doctype != null && doctype.getInternalSubset() != null
        && !doctype.getInternalSubset().isBlank()) {
      throw new PlistParseException("plist declares its own DTD subset (not allowed)");
    }
    Element root = document.getDocumentElement();
    if (root == null || !root.getTagName().equals("plist")) {
      throw new PlistParseException("root element is not <plist>");
    }
    List<Element> children = elements(root);
    if (children.size() != 1) {
      throw new PlistParseException("<plist> must hold exactly one value, found "
          + children.size());
    }
    return value(children.get(0), 1, new int[] {0});
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(false);
    f.setValidating(false);
    f.setXIncludeAware(false);
    f.setExpandEntityReferences(false);
    f.setCoalescing(true);
    f.setIgnoringComments(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://xml.org/sax/features/external-general-entities", false);
    f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    setLimit(f, "http://www.oracle.com/xml/jaxp/properties/entityExpansionLimit", "64");
    setLimit(f, "http://www.oracle.com/xml/jaxp/properties/maxGeneralEntitySizeLimit", "4096");
    setLimit(f, "http://www.oracle.com/xml/jaxp/properties/totalEntitySizeLimit", "65536");
    setLimit(f, "http://www.oracle.com/xml/jaxp/properties/maxElementDepth",
        Integer.toString(MAX_DEPTH + 2));
    return f;
  }

  /** JDK-specific limits; another parser ignoring them still has secure processing on. */
  private static void setLimit(DocumentBuilderFactory f, String name, String value) {
    try {
      f.setAttribute(name, value);
    } catch (IllegalArgumentException e) {
      // not the JDK's built-in parser
    }
  }

  private static PlistValue value(Element e, int depth, int[] count)
      throws PlistParseException {
    if (depth > MAX_DEPTH) {
      throw new PlistParseException("plist nested deeper than " + MAX_DEPTH);
    }
    if (++count[0] > MAX_ELEMENTS) {
      throw new PlistParseException("plist has more than " + MAX_ELEMENTS + " values");
    }
    String tag = e.getTagName();
    switch (tag) {
      case "dict":
        return dict(e, depth, count);
      case "array": {
        List<PlistValue> items = new ArrayList<>();
        for (Element child : elements(e)) {
          items.add(value(child, depth + 1, count));
        }
        return new PlistValue.Array(items);
      }
      case "string":
        return new PlistValue.Str(text(e));
      case "integer":
        return integer(text(e));
      case "real":
        return real(text(e));
      case "true":
        return new PlistValue.Bool(true);
      case "false":
        return new PlistValue.Bool(false);
      case "date": {
        String text = text(e);
        try {
          return new PlistValue.Date(Instant.parse(text.strip()));
        } catch (DateTimeException ex) {
          throw new PlistParseException("<date> is not an ISO 8601 UTC time: "
              + AvText.quote(text));
        }
      }
      case "data":
        try {
          return new PlistValue.Data(Base64.getMimeDecoder().decode(text(e)));
        } catch (IllegalArgumentException ex) {
          throw new PlistParseException("<data> is not base64");
        }
      default:
        throw new PlistParseException("unknown plist element <" + AvText.clean(tag, 40) + ">");
    }
  }

  private static PlistValue dict(Element e, int depth, int[] count) throws PlistParseException {
    Map<String, PlistValue> entries = new LinkedHashMap<>();
    List<Element> children = elements(e);
    if (children.size() % 2 != 0) {
      throw new PlistParseException("<dict> has a key without a value");
    }
    for (int i = 0; i < children.size(); i += 2) {
      Element key = children.get(i);
      if (!key.getTagName().equals("key")) {
        throw new PlistParseException("<dict> expects <key>, found <"
            + AvText.clean(key.getTagName(), 40) + ">");
      }
      // Later duplicates win, as in CoreFoundation.
      entries.put(text(key), value(children.get(i + 1), depth + 1, count));
    }
    return new PlistValue.Dict(entries);
  }

  private static PlistValue integer(String text) throws PlistParseException {
    String t = text.strip();
    try {
      BigInteger value = t.startsWith("0x") || t.startsWith("0X")
          ? new BigInteger(t.substring(2), 16)
          : new BigInteger(t);
      if (t.length() > 40 || value.bitLength() > 63) {
        throw new PlistParseException("<integer> out of range: " + AvText.quote(t));
      }
      return new PlistValue.Int(value.longValue());
    } catch (NumberFormatException ex) {
      throw new PlistParseException("<integer> is not a number: " + AvText.quote(t));
    }
  }

  private static PlistValue real(String text) throws PlistParseException {
    String t = text.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "nan":
        return new PlistValue.Real(Double.NaN);
      case "inf", "+inf", "infinity", "+infinity":
        return new PlistValue.Real(Double.POSITIVE_INFINITY);
      case "-inf", "-infinity":
        return new PlistValue.Real(Double.NEGATIVE_INFINITY);
      default:
        break;
    }
    if (t.length() > 64 || !t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      throw new PlistParseException("<real> is not a number: " + AvText.quote(text.strip()));
    }
    return new PlistValue.Real(Double.parseDouble(t));
  }

  /**
   * The text of a leaf element. Only direct text is read: a leaf holding elements is
   * malformed, and reading it with getTextContent would recurse without bound.
   */
  private static String text(Element leaf) throws PlistParseException {
    StringBuilder b = new StringBuilder();
    NodeList nodes = leaf.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      short type = n.getNodeType();
      if (type == Node.TEXT_NODE || type == Node.CDATA_SECTION_NODE) {
        b.append(n.getNodeValue());
      } else if (type != Node.COMMENT_NODE && type != Node.PROCESSING_INSTRUCTION_NODE) {
        throw new PlistParseException("<" + AvText.clean(leaf.getTagName(), 40)
            + "> holds markup instead of text");
      }
    }
    return b.toString();
  }

  private static List<Element> elements(Element parent) throws PlistParseException {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n.getNodeType() == Node.ELEMENT_NODE) {
        out.add((Element) n);
      } else if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
        if (!n.getNodeValue().isBlank()) {
          throw new PlistParseException("text outside a value in <" + parent.getTagName() + ">");
        }
      } else if (n.getNodeType() == Node.ENTITY_REFERENCE_NODE) {
        throw new PlistParseException("entity reference outside a value");
      }
    }
    return out;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String saxMessage(SAXException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SAXParseException p && p.getLineNumber() > 0) {
      message = "line " + p.getLineNumber() + ": " + message;
    }
    return AvText.clean(message, 200);
  }

  /** Turns every parser error into a failure and keeps the parser from printing to stderr. */
  private static final ErrorHandler STRICT = new ErrorHandler() {
    @Override
    public void warning(SAXParseException e) {}

    @Override
    public void error(SAXParseException e) throws SAXException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXException {
      throw e;
    }
  };
}
