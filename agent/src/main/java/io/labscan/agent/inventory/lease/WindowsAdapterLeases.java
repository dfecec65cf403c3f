package io.labscan.agent.inventory.lease;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.platform.win32.IPHlpAPI;
import com.sun.jna.ptr.IntByReference;
import io.labscan.contract.net.Addresses;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DHCP lease ends on Windows, from {@code GetAdaptersInfo} (iphlpapi.dll): each {@code
 * IP_ADAPTER_INFO} with {@code DhcpEnabled} carries {@code LeaseExpires} (a {@code time_t},
 * 64 bits since Visual C++ 2005) for the IPv4 addresses in its {@code IpAddressList}. IPv6 and
 * static addresses get no lease. Any failure gives no leases: the lease end is an optional
 * refinement, never a reason to fail the inventory.
 */
public final class WindowsAdapterLeases {
  /** Most adapters read (a host with hundreds of virtual adapters still answers quickly). */
  static final int MAX_ADAPTERS = 64;
  /** Largest buffer GetAdaptersInfo may ask for. */
  static final int MAX_BUFFER = 1 << 20;
  private static final int ERROR_SUCCESS = 0;
  private static final int ERROR_BUFFER_OVERFLOW = 111;

  private WindowsAdapterLeases() {}

  /** One adapter as GetAdaptersInfo described it. */
  record Adapter(boolean dhcpEnabled, List<String> ipv4, long leaseExpiresEpochSeconds) {}

  /** The leases the adapters describe: DHCP-enabled ones with a lease end, for each real address. */
  static List<DhcpLease> leases(List<Adapter> adapters) {
    List<DhcpLease> out = new ArrayList<>();
    for (Adapter a : adapters.subList(0, Math.min(adapters.size(), MAX_ADAPTERS))) {
      if (!a.dhcpEnabled() || a.leaseExpiresEpochSeconds() <= 0) {
        continue;
      }
      for (String ip : a.ipv4()) {
        Optional<String> canonical = Addresses.canonical(ip);
        if (canonical.isPresent() && !canonical.get().equals("0.0.0.0")) {
          out.add(new DhcpLease(canonical.get(), Instant.ofEpochSecond(a.leaseExpiresEpochSeconds())));
        }
      }
    }
    return out;
  }

  /** Asks iphlpapi.dll; empty on any failure. */
  public static List<DhcpLease> read() {
    try {
      return leases(adapters());
    } catch (RuntimeException | LinkageError e) {
      return List.of();
    }
  }

  private static List<Adapter> adapters() {
    IpHelper api = Native.load("iphlpapi", IpHelper.class);
    IntByReference size = new IntByReference(16 * 1024);
    Memory buffer = null;
    int rc = ERROR_BUFFER_OVERFLOW;
    for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; attempt++) {
      if (size.getValue() <= 0 || size.getValue() > MAX_BUFFER) {
        return List.of();
      }
      buffer = new Memory(size.getValue());
      rc = api.GetAdaptersInfo(buffer, size);
    }
    if (rc != ERROR_SUCCESS || buffer == null) {
      return List.of();
    }
    List<Adapter> out = new ArrayList<>();
    Pointer p = buffer;
    while (p != null && out.size() < MAX_ADAPTERS) {
      IpAdapterInfo info = new IpAdapterInfo(p);
      info.read();
      List<String> ips = new ArrayList<>();
      IPHlpAPI.IP_ADDR_STRING a = info.IpAddressList;
      for (int i = 0; a != null && i < 64; i++) {
        ips.add(Native.toString(a.IpAddress.String, StandardCharsets.US_ASCII.name()));
        a = a.Next;
      }
      out.add(new Adapter(info.DhcpEnabled != 0, ips, info.LeaseExpires));
      p = info.Next;
    }
    return out;
  }

  /** The one function used. */
  interface IpHelper extends Library {
    int GetAdaptersInfo(Pointer adapterInfo, IntByReference sizePointer);
  }

  /** {@code IP_ADAPTER_INFO} (iptypes.h). */
  @Structure.FieldOrder({"Next", "ComboIndex", "AdapterName", "Description", "AddressLength", "Address", "Index",
      "Type", "DhcpEnabled", "CurrentIpAddress", "IpAddressList", "GatewayList", "DhcpServer", "HaveWins",
      "PrimaryWinsServer", "SecondaryWinsServer", "LeaseObtained", "LeaseExpires"})
  public static final class IpAdapterInfo extends Structure {
    public Pointer Next;
    public int ComboIndex;
    public byte[] AdapterName = new byte[256 + 4];
    public byte[] Description = new byte[128 + 4];
    public int AddressLength;
    public byte[] Address = new byte[8];
    public int Index;
    public int Type;
    public int DhcpEnabled;
    public Pointer CurrentIpAddress;
    public IPHlpAPI.IP_ADDR_STRING IpAddressList;
    public IPHlpAPI.IP_ADDR_STRING GatewayList;
    public IPHlpAPI.IP_ADDR_STRING DhcpServer;
    public int HaveWins;
    public IPHlpAPI.IP_ADDR_STRING PrimaryWinsServer;
    public IPHlpAPI.IP_ADDR_STRING SecondaryWinsServer;
    public long LeaseObtained;
    public long LeaseExpires;

    // The fields are filled from native memory by read(), not by Java code: NullAway cannot see that.
    @SuppressWarnings("NullAway.Init")
    public IpAdapterInfo(Pointer p) {
      super(p);
    }
  }
}
