package io.labscan.controller.store;

import java.time.Instant;

/** A continuous interval in which a host reported an address (DHCP moves addresses around). */
public record AddressInterval(String hostId, String ip, String mac, String interfaceName, Instant firstSeen,
    Instant lastSeen, boolean current) {}
