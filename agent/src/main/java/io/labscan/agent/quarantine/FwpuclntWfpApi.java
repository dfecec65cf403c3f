package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Union;
import com.sun.jna.WString;
import com.sun.jna.platform.win32.Guid.GUID;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.labscan.contract.quarantine.QuarantineRules.Destination;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@link WfpApi} on {@code fwpuclnt.dll} through JNA. Only data crosses here: which filters to
 * write is decided above ({@link WfpFilter#plan}, {@link WfpReconciliation}). The structures
 * follow {@code fwpmtypes.h} and {@code fwptypes.h}; their sizes on 64-bit Windows are checked
 * by {@code FwpuclntLayoutTest} (FWPM_FILTER0: 200 bytes) on every platform, and the calls by
 * {@code LiveWfpTest} on the hosted Windows runner (a throwaway provider in a dynamic session).
 *
 * <p>A persistent API writes objects with the {@code PERSISTENT} flags (they survive reboots and
 * the agent), one ordinary engine session per {@link #open}; a dynamic one ({@link #dynamic()},
 * for tests) keeps one {@code FWPM_SESSION_FLAG_DYNAMIC} session for its whole life, and the
 * engine deletes everything it added when {@link #close} ends that session.
 * Needs administrator rights (the service runs as LocalSystem).
 */
public final class FwpuclntWfpApi implements WfpApi, AutoCloseable {
  static final int RPC_C_AUTHN_WINNT = 10;
  static final int FWPM_SESSION_FLAG_DYNAMIC = 0x1;
  static final int FWPM_PROVIDER_FLAG_PERSISTENT = 0x1;
  static final int FWPM_SUBLAYER_FLAG_PERSISTENT = 0x1;
  static final int FWPM_FILTER_FLAG_PERSISTENT = 0x1;
  static final int FWP_EMPTY = 0;
  static final int FWP_UINT8 = 1;
  static final int FWP_UINT16 = 2;
  static final int FWP_BYTE_BLOB_TYPE = 12;
  static final int FWP_V4_ADDR_MASK = 0x100;
  static final int FWP_V6_ADDR_MASK = 0x101;
  static final int FWP_MATCH_EQUAL = 0;
  static final int IPPROTO_TCP = 6;
  static final int FWP_E_FILTER_NOT_FOUND = 0x80320003;
  static final int FWP_E_PROVIDER_NOT_FOUND = 0x80320005;
  static final int FWP_E_SUBLAYER_NOT_FOUND = 0x80320007;
  static final int FWP_E_ALREADY_EXISTS = 0x80320009;
  static final UUID CONDITION_IP_PROTOCOL = UUID.fromString("3971ef2b-623e-4f9a-8cb1-6e79b806b9a7");
  static final UUID CONDITION_IP_REMOTE_PORT = UUID.fromString("c35a604d-d22b-4e1a-91b4-68f674ee674b");
  static final UUID CONDITION_IP_REMOTE_ADDRESS = UUID.fromString("b235ae9a-1d64-49b8-a44c-5ff3d9095045");
  static final UUID CONDITION_ALE_APP_ID = UUID.fromString("d78e1e87-8644-4ea5-9437-d809ecefc971");
  private static final int ENUM_BATCH = 256;
  private static final int MAX_FILTERS_READ = 200_000;

  /** The functions of fwpuclnt.dll used (all return a Win32 error or an FWP_E_ HRESULT). */
  interface Fwpuclnt extends Library {
    int FwpmEngineOpen0(@Nullable WString serverName, int authnService, @Nullable Pointer authIdentity, FWPM_SESSION0 session,
        PointerByReference engineHandle);

    int FwpmEngineClose0(Pointer engineHandle);

    int FwpmTransactionBegin0(Pointer engineHandle, int flags);

    int FwpmTransactionCommit0(Pointer engineHandle);

    int FwpmTransactionAbort0(Pointer engineHandle);

    int FwpmProviderAdd0(Pointer engineHandle, FWPM_PROVIDER0 provider, @Nullable Pointer sd);

    int FwpmProviderDeleteByKey0(Pointer engineHandle, GUID key);

    int FwpmProviderGetByKey0(Pointer engineHandle, GUID key, PointerByReference provider);

    int FwpmSubLayerGetByKey0(Pointer engineHandle, GUID key, PointerByReference subLayer);

    int FwpmSubLayerAdd0(Pointer engineHandle, FWPM_SUBLAYER0 subLayer, @Nullable Pointer sd);

    int FwpmSubLayerDeleteByKey0(Pointer engineHandle, GUID key);

    int FwpmFilterAdd0(Pointer engineHandle, FWPM_FILTER0 filter, @Nullable Pointer sd, LongByReference id);

    int FwpmFilterDeleteByKey0(Pointer engineHandle, GUID key);

    int FwpmFilterCreateEnumHandle0(Pointer engineHandle, @Nullable Pointer enumTemplate, PointerByReference enumHandle);

    int FwpmFilterEnum0(Pointer engineHandle, Pointer enumHandle, int numEntriesRequested, PointerByReference entries,
        IntByReference numEntriesReturned);

    int FwpmFilterDestroyEnumHandle0(Pointer engineHandle, Pointer enumHandle);

    void FwpmFreeMemory0(PointerByReference p);

    int FwpmGetAppIdFromFileName0(WString fileName, PointerByReference appId);
  }

  /** FWPM_DISPLAY_DATA0. */
  @Structure.FieldOrder({"name", "description"})
  public static class FWPM_DISPLAY_DATA0 extends Structure {
    public @Nullable WString name;
    public @Nullable WString description;
  }

  /** FWP_BYTE_BLOB. */
  @Structure.FieldOrder({"size", "data"})
  public static class FWP_BYTE_BLOB extends Structure {
    public int size;
    public @Nullable Pointer data;

    public FWP_BYTE_BLOB() {}

    public FWP_BYTE_BLOB(Pointer p) {
      super(p);
      read();
    }
  }

  /**
   * FWP_VALUE0 and FWP_CONDITION_VALUE0: a type and an 8-byte union, written here as the integer
   * in its low bytes (little-endian) or the address of the pointed-to value.
   */
  @Structure.FieldOrder({"type", "value"})
  public static class FWP_VALUE0 extends Structure {
    public int type;
    public long value;
  }

  /** FWPM_SESSION0. */
  @Structure.FieldOrder({"sessionKey", "displayData", "flags", "txnWaitTimeoutInMSec", "processId", "sid",
      "username", "kernelMode"})
  public static class FWPM_SESSION0 extends Structure {
    public GUID sessionKey = new GUID();
    public FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    public int flags;
    public int txnWaitTimeoutInMSec;
    public int processId;
    public @Nullable Pointer sid;
    public @Nullable WString username;
    public int kernelMode;
  }

  /** FWPM_PROVIDER0. */
  @Structure.FieldOrder({"providerKey", "displayData", "flags", "providerData", "serviceName"})
  public static class FWPM_PROVIDER0 extends Structure {
    public GUID providerKey = new GUID();
    public FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    public int flags;
    public FWP_BYTE_BLOB providerData = new FWP_BYTE_BLOB();
    public @Nullable WString serviceName;
  }

  /** FWPM_SUBLAYER0. */
  @Structure.FieldOrder({"subLayerKey", "displayData", "flags", "providerKey", "providerData", "weight"})
  public static class FWPM_SUBLAYER0 extends Structure {
    public GUID subLayerKey = new GUID();
    public FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    public int flags;
    public @Nullable Pointer providerKey;
    public FWP_BYTE_BLOB providerData = new FWP_BYTE_BLOB();
    public short weight;
  }

  /** FWPM_FILTER_CONDITION0. */
  @Structure.FieldOrder({"fieldKey", "matchType", "conditionValue"})
  public static class FWPM_FILTER_CONDITION0 extends Structure {
    public GUID fieldKey = new GUID();
    public int matchType;
    public FWP_VALUE0 conditionValue = new FWP_VALUE0();
  }

  /** FWPM_ACTION0: the type and the union of filterType/calloutKey (a GUID). */
  @Structure.FieldOrder({"type", "filterType"})
  public static class FWPM_ACTION0 extends Structure {
    public int type;
    public GUID filterType = new GUID();
  }

  /** The union of rawContext (UINT64) and providerContextKey (GUID) in FWPM_FILTER0. */
  public static class FilterContext extends Union {
    public long rawContext;
    public GUID providerContextKey = new GUID();
  }

  /** FWPM_FILTER0. */
  @Structure.FieldOrder({"filterKey", "displayData", "flags", "providerKey", "providerData", "layerKey",
      "subLayerKey", "weight", "numFilterConditions", "filterCondition", "action", "context", "reserved", "filterId",
      "effectiveWeight"})
  public static class FWPM_FILTER0 extends Structure {
    public GUID filterKey = new GUID();
    public FWPM_DISPLAY_DATA0 displayData = new FWPM_DISPLAY_DATA0();
    public int flags;
    public @Nullable Pointer providerKey;
    public FWP_BYTE_BLOB providerData = new FWP_BYTE_BLOB();
    public GUID layerKey = new GUID();
    public GUID subLayerKey = new GUID();
    public FWP_VALUE0 weight = new FWP_VALUE0();
    public int numFilterConditions;
    public @Nullable Pointer filterCondition;
    public FWPM_ACTION0 action = new FWPM_ACTION0();
    public FilterContext context = new FilterContext();
    public @Nullable Pointer reserved;
    public long filterId;
    public FWP_VALUE0 effectiveWeight = new FWP_VALUE0();

    public FWPM_FILTER0() {
      context.setType(long.class);
    }

    public FWPM_FILTER0(Pointer p) {
      super(p);
      context.setType(long.class);
      read();
    }

    /** Offset of a field, for reading one field of an enumerated filter without reading it all. */
    static int offsetOf(String field) {
      return new FWPM_FILTER0().fieldOffset(field);
    }
  }

  private final boolean persistent;
  private volatile @Nullable Fwpuclnt library;
  /** The dynamic API's one session. */
  private @Nullable EngineSession shared;

  private FwpuclntWfpApi(boolean persistent) {
    this.persistent = persistent;
  }

  /** Objects that survive the session, the agent and reboots: the service's quarantine. */
  public static FwpuclntWfpApi persistent() {
    return new FwpuclntWfpApi(true);
  }

  /** Objects the engine deletes when the session closes: tests on a real machine. */
  public static FwpuclntWfpApi dynamic() {
    return new FwpuclntWfpApi(false);
  }

  private Fwpuclnt library() throws IOException {
    Fwpuclnt l = library;
    if (l == null) {
      try {
        l = Native.load("fwpuclnt", Fwpuclnt.class);
      } catch (UnsatisfiedLinkError e) {
        throw new IOException("fwpuclnt.dll not available: " + e.getMessage(), e);
      }
      library = l;
    }
    return l;
  }

  @Override
  public synchronized Session open() throws IOException {
    if (!persistent) {
      EngineSession s = shared;
      if (s == null) {
        s = openEngine();
        shared = s;
      }
      return s.borrowed();
    }
    return openEngine();
  }

  /** Ends the dynamic session (the engine then deletes its objects); nothing for a persistent API. */
  @Override
  public synchronized void close() {
    EngineSession s = shared;
    if (s != null) {
      s.close();
      shared = null;
    }
  }

  private EngineSession openEngine() throws IOException {
    Fwpuclnt lib = library();
    FWPM_SESSION0 session = new FWPM_SESSION0();
    session.flags = persistent ? 0 : FWPM_SESSION_FLAG_DYNAMIC;
    session.txnWaitTimeoutInMSec = 15_000;
    session.displayData.name = new WString("LabScan agent");
    PointerByReference handle = new PointerByReference();
    check(lib.FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, session, handle), "FwpmEngineOpen0");
    return new EngineSession(lib, handle.getValue());
  }

  private final class EngineSession implements Session {
    private final Fwpuclnt lib;
    private final Pointer engine;

    EngineSession(Fwpuclnt lib, Pointer engine) {
      this.lib = lib;
      this.engine = engine;
    }

    /** This session, with a close that leaves it open (the dynamic API's shared session). */
    Session borrowed() {
      return new Borrowed(this);
    }

    @Override
    public void begin() throws IOException {
      check(lib.FwpmTransactionBegin0(engine, 0), "FwpmTransactionBegin0");
    }

    @Override
    public void commit() throws IOException {
      check(lib.FwpmTransactionCommit0(engine), "FwpmTransactionCommit0");
    }

    @Override
    public void abort() {
      lib.FwpmTransactionAbort0(engine);
    }

    @Override
    public void addProvider(UUID key, String name, String description) throws IOException {
      FWPM_PROVIDER0 p = new FWPM_PROVIDER0();
      p.providerKey = guid(key);
      p.displayData.name = new WString(name);
      p.displayData.description = new WString(description);
      p.flags = persistent ? FWPM_PROVIDER_FLAG_PERSISTENT : 0;
      if (!providerExists(key)) {
        check(lib.FwpmProviderAdd0(engine, p, null), "FwpmProviderAdd0");
      }
    }

    /*
     * Existence is asked first (GetByKey) rather than inferred from a failed Add or Delete: a call
     * that fails inside a transaction must not be relied on to leave the transaction usable.
     */
    private boolean providerExists(UUID key) throws IOException {
      PointerByReference found = new PointerByReference();
      int rc = lib.FwpmProviderGetByKey0(engine, guid(key), found);
      if (rc == FWP_E_PROVIDER_NOT_FOUND) {
        return false;
      }
      check(rc, "FwpmProviderGetByKey0");
      lib.FwpmFreeMemory0(found);
      return true;
    }

    private boolean sublayerExists(UUID key) throws IOException {
      PointerByReference found = new PointerByReference();
      int rc = lib.FwpmSubLayerGetByKey0(engine, guid(key), found);
      if (rc == FWP_E_SUBLAYER_NOT_FOUND) {
        return false;
      }
      check(rc, "FwpmSubLayerGetByKey0");
      lib.FwpmFreeMemory0(found);
      return true;
    }

    @Override
    public void addSublayer(UUID key, UUID provider, String name, int weight) throws IOException {
      FWPM_SUBLAYER0 s = new FWPM_SUBLAYER0();
      s.subLayerKey = guid(key);
      s.displayData.name = new WString(name);
      s.displayData.description = new WString("Sublayer of the LabScan agent's SMTP quarantine");
      s.flags = persistent ? FWPM_SUBLAYER_FLAG_PERSISTENT : 0;
      GUID providerKey = guid(provider);
      providerKey.write();
      s.providerKey = providerKey.getPointer();
      s.weight = (short) weight;
      if (!sublayerExists(key)) {
        check(lib.FwpmSubLayerAdd0(engine, s, null), "FwpmSubLayerAdd0");
      }
    }

    @Override
    public List<InstalledFilter> filtersOf(UUID provider) throws IOException {
      PointerByReference enumHandle = new PointerByReference();
      check(lib.FwpmFilterCreateEnumHandle0(engine, null, enumHandle), "FwpmFilterCreateEnumHandle0");
      List<InstalledFilter> out = new ArrayList<>();
      try {
        for (int read = 0; read < MAX_FILTERS_READ; ) {
          PointerByReference entries = new PointerByReference();
          IntByReference returned = new IntByReference();
          check(lib.FwpmFilterEnum0(engine, enumHandle.getValue(), ENUM_BATCH, entries, returned), "FwpmFilterEnum0");
          int n = returned.getValue();
          if (n == 0 || entries.getValue() == null) {
            break;
          }
          try {
            Pointer[] filters = entries.getValue().getPointerArray(0, n);
            for (Pointer p : filters) {
              Pointer providerKey = p.getPointer(FILTER_PROVIDER_KEY_OFFSET);
              if (providerKey == null || !uuid(providerKey).equals(provider)) {
                continue;
              }
              FWPM_FILTER0 f = new FWPM_FILTER0(p);
              out.add(new InstalledFilter(uuid(f.filterKey), f.filterId, provider, uuid(f.layerKey), f.action.type,
                  f.displayData.name == null ? "" : f.displayData.name.toString()));
            }
          } finally {
            lib.FwpmFreeMemory0(entries);
          }
          read += n;
          if (n < ENUM_BATCH) {
            break;
          }
        }
      } finally {
        lib.FwpmFilterDestroyEnumHandle0(engine, enumHandle.getValue());
      }
      return out;
    }

    @Override
    public long addFilter(WfpFilter filter, UUID provider, UUID sublayer) throws IOException {
      List<Object> keepAlive = new ArrayList<>();
      FWPM_FILTER0 f = new FWPM_FILTER0();
      f.filterKey = guid(filter.key());
      f.displayData.name = new WString(filter.name());
      f.displayData.description = new WString("Written by the LabScan agent on the controller's quarantine order");
      f.flags = persistent ? FWPM_FILTER_FLAG_PERSISTENT : 0;
      GUID providerKey = guid(provider);
      providerKey.write();
      keepAlive.add(providerKey);
      f.providerKey = providerKey.getPointer();
      f.layerKey = guid(filter.layer().key());
      f.subLayerKey = guid(sublayer);
      f.weight.type = FWP_UINT8;
      f.weight.value = filter.weight();
      f.action.type = filter.action().code();

      List<Condition> conditions = new ArrayList<>();
      conditions.add(new Condition(CONDITION_IP_PROTOCOL, FWP_UINT8, IPPROTO_TCP));
      for (int port : filter.ports()) {
        conditions.add(new Condition(CONDITION_IP_REMOTE_PORT, FWP_UINT16, port));
      }
      if (filter.remote().isPresent()) {
        Memory mask = addressAndMask(filter.remote().get());
        keepAlive.add(mask);
        conditions.add(new Condition(CONDITION_IP_REMOTE_ADDRESS,
            filter.remote().get().isIpv6() ? FWP_V6_ADDR_MASK : FWP_V4_ADDR_MASK, Pointer.nativeValue(mask)));
      }
      PointerByReference appId = new PointerByReference();
      boolean freeAppId = false;
      try {
        if (filter.application().isPresent()) {
          check(lib.FwpmGetAppIdFromFileName0(new WString(filter.application().get()), appId),
              "FwpmGetAppIdFromFileName0(" + filter.application().get() + ")");
          freeAppId = true;
          conditions.add(new Condition(CONDITION_ALE_APP_ID, FWP_BYTE_BLOB_TYPE, Pointer.nativeValue(appId.getValue())));
        }
        FWPM_FILTER_CONDITION0[] array = (FWPM_FILTER_CONDITION0[]) new FWPM_FILTER_CONDITION0().toArray(conditions.size());
        for (int i = 0; i < array.length; i++) {
          Condition c = conditions.get(i);
          array[i].fieldKey = guid(c.field());
          array[i].matchType = FWP_MATCH_EQUAL;
          array[i].conditionValue.type = c.type();
          array[i].conditionValue.value = c.value();
          array[i].write();
        }
        f.numFilterConditions = array.length;
        f.filterCondition = array[0].getPointer();
        keepAlive.add(array);
        LongByReference id = new LongByReference();
        check(lib.FwpmFilterAdd0(engine, f, null, id), "FwpmFilterAdd0(" + filter.name() + ")");
        return id.getValue();
      } finally {
        if (freeAppId) {
          lib.FwpmFreeMemory0(appId);
        }
        java.lang.ref.Reference.reachabilityFence(keepAlive);
      }
    }

    @Override
    public void deleteFilter(UUID key) throws IOException {
      int rc = lib.FwpmFilterDeleteByKey0(engine, guid(key));
      if (rc != FWP_E_FILTER_NOT_FOUND) {
        check(rc, "FwpmFilterDeleteByKey0");
      }
    }

    @Override
    public void deleteSublayer(UUID key) throws IOException {
      if (sublayerExists(key)) {
        check(lib.FwpmSubLayerDeleteByKey0(engine, guid(key)), "FwpmSubLayerDeleteByKey0");
      }
    }

    @Override
    public void deleteProvider(UUID key) throws IOException {
      if (providerExists(key)) {
        check(lib.FwpmProviderDeleteByKey0(engine, guid(key)), "FwpmProviderDeleteByKey0");
      }
    }

    @Override
    public boolean canIdentify(String path) {
      PointerByReference appId = new PointerByReference();
      if (lib.FwpmGetAppIdFromFileName0(new WString(path), appId) != 0) {
        return false;
      }
      lib.FwpmFreeMemory0(appId);
      return true;
    }

    @Override
    public void close() {
      lib.FwpmEngineClose0(engine);
    }
  }

  /** A shared session whose {@link #close} leaves the engine session open. */
  private record Borrowed(Session session) implements Session {
    @Override
    public void begin() throws IOException {
      session.begin();
    }

    @Override
    public void commit() throws IOException {
      session.commit();
    }

    @Override
    public void abort() {
      session.abort();
    }

    @Override
    public void addProvider(UUID key, String name, String description) throws IOException {
      session.addProvider(key, name, description);
    }

    @Override
    public void addSublayer(UUID key, UUID provider, String name, int weight) throws IOException {
      session.addSublayer(key, provider, name, weight);
    }

    @Override
    public List<InstalledFilter> filtersOf(UUID provider) throws IOException {
      return session.filtersOf(provider);
    }

    @Override
    public long addFilter(WfpFilter filter, UUID provider, UUID sublayer) throws IOException {
      return session.addFilter(filter, provider, sublayer);
    }

    @Override
    public void deleteFilter(UUID key) throws IOException {
      session.deleteFilter(key);
    }

    @Override
    public void deleteSublayer(UUID key) throws IOException {
      session.deleteSublayer(key);
    }

    @Override
    public void deleteProvider(UUID key) throws IOException {
      session.deleteProvider(key);
    }

    @Override
    public boolean canIdentify(String path) {
      return session.canIdentify(path);
    }

    @Override
    public void close() {
      // the owner closes the shared session
    }
  }

  /** Offset of {@code providerKey} in FWPM_FILTER0, to skip other providers' filters without reading them. */
  static final int FILTER_PROVIDER_KEY_OFFSET = FWPM_FILTER0.offsetOf("providerKey");

  private record Condition(UUID field, int type, long value) {}

  /**
   * FWP_V4_ADDR_AND_MASK (address and mask as host-order UINT32s) or FWP_V6_ADDR_AND_MASK (16
   * address bytes in network order and the prefix length).
   */
  static Memory addressAndMask(Destination d) {
    requireNonNull(d, "d");
    byte[] a = d.network().getAddress();
    if (!d.isIpv6()) {
      Memory m = new Memory(8);
      int address = ByteBuffer.wrap(a).order(ByteOrder.BIG_ENDIAN).getInt();
      int mask = d.prefix() == 0 ? 0 : (int) (0xffffffffL << (32 - d.prefix()));
      m.setInt(0, address);
      m.setInt(4, mask);
      return m;
    }
    Memory m = new Memory(17);
    m.write(0, a, 0, 16);
    m.setByte(16, (byte) d.prefix());
    return m;
  }

  static GUID guid(UUID u) {
    return GUID.fromString("{" + u + "}");
  }

  static UUID uuid(GUID g) {
    String s = g.toGuidString();
    return UUID.fromString(s.substring(1, s.length() - 1));
  }

  private static UUID uuid(Pointer p) {
    GUID g = new GUID(p);
    return uuid(g);
  }

  private static void check(int rc, String call) throws IOException {
    if (rc != 0) {
      throw new IOException(call + " failed: " + String.format("0x%08X", rc) + explain(rc));
    }
  }

  private static String explain(int rc) {
    return switch (rc) {
      case 5 -> " (access denied: the agent must run as an administrator or LocalSystem)";
      case 1753 -> " (the Base Filtering Engine service is not running)";
      case FWP_E_ALREADY_EXISTS -> " (FWP_E_ALREADY_EXISTS)";
      default -> "";
    };
  }
}
