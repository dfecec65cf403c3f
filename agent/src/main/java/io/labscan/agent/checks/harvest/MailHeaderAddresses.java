package io.labscan.agent.checks.harvest;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.util.List;

/**
 * The addresses in a stored message's From, To, Cc and Reply-To headers, parsed as RFC 5322
 * address lists (groups included). A header that does not parse is searched for
 * address-shaped text instead, as a worm would.
 */
final class MailHeaderAddresses {
  static final List<String> HEADERS = List.of("From", "To", "Cc", "Reply-To");

  private MailHeaderAddresses() {}

  static void collect(MimeMessage message, AddressCollector addresses) {
    for (String header : HEADERS) {
      String[] values;
      try {
        values = message.getHeader(header);
      } catch (MessagingException e) {
        continue;
      }
      if (values == null) {
        continue;
      }
      for (String value : values) {
        collectValue(MimeUtility.unfold(value), addresses);
      }
    }
  }

  private static void collectValue(String value, AddressCollector addresses) {
    try {
      for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
        if (address.isGroup()) {
          InternetAddress[] members = address.getGroup(false);
          for (InternetAddress member : members == null ? new InternetAddress[0] : members) {
            addMember(member, addresses);
          }
        } else {
          addMember(address, addresses);
        }
      }
    } catch (AddressException | RuntimeException e) {
      // Malformed on purpose or by accident: fall back to what a harvester would take.
      AddressScanner.scanText(value, addresses::add);
    }
  }

  private static void addMember(InternetAddress address, AddressCollector addresses) {
    if (address.getAddress() != null) {
      addresses.add(address.getAddress());
    }
  }
}
