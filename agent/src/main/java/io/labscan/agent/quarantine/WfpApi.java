package io.labscan.agent.quarantine;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * The Windows Filtering Platform's management API ({@code fwpuclnt.dll}) as far as the quarantine
 * uses it: the thin layer under {@link WfpQuarantine}, real in {@link FwpuclntWfpApi} (JNA) and
 * simulated in the tests. Everything that decides (which filters, what to delete) is above it.
 */
public interface WfpApi {
  /** Opens a session to the base filtering engine ({@code FwpmEngineOpen0}). */
  Session open() throws IOException;

  /** A filter of the engine, as enumerated ({@code FwpmFilterEnum0}). */
  record InstalledFilter(UUID key, long runtimeId, UUID provider, UUID layer, int action, String name) {
    public InstalledFilter {
      java.util.Objects.requireNonNull(key, "key");
      java.util.Objects.requireNonNull(layer, "layer");
      java.util.Objects.requireNonNull(name, "name");
    }
  }

  /** One engine session; changes between {@link #begin} and {@link #commit} happen all or not at all. */
  interface Session extends AutoCloseable {
    /** {@code FwpmTransactionBegin0}. */
    void begin() throws IOException;

    /** {@code FwpmTransactionCommit0}. */
    void commit() throws IOException;

    /** {@code FwpmTransactionAbort0}; never throws (it runs on the error path). */
    void abort();

    /** Adds the provider ({@code FwpmProviderAdd0}); succeeds when it exists already. */
    void addProvider(UUID key, String name, String description) throws IOException;

    /** Adds the sublayer owned by {@code provider} ({@code FwpmSubLayerAdd0}); succeeds when it exists already. */
    void addSublayer(UUID key, UUID provider, String name, int weight) throws IOException;

    /** The filters owned by {@code provider}, in every layer. */
    List<InstalledFilter> filtersOf(UUID provider) throws IOException;

    /**
     * Adds {@code filter} to {@code sublayer}, owned by {@code provider} ({@code FwpmFilterAdd0});
     * returns its runtime id (the {@code FilterRTID} of audit events).
     */
    long addFilter(WfpFilter filter, UUID provider, UUID sublayer) throws IOException;

    /** {@code FwpmFilterDeleteByKey0}; succeeds when there is no such filter. */
    void deleteFilter(UUID key) throws IOException;

    /** {@code FwpmSubLayerDeleteByKey0}; succeeds when there is no such sublayer. */
    void deleteSublayer(UUID key) throws IOException;

    /** {@code FwpmProviderDeleteByKey0}; succeeds when there is no such provider. */
    void deleteProvider(UUID key) throws IOException;

    /**
     * Whether {@code path} can be named in a filter ({@code FwpmGetAppIdFromFileName0} succeeds:
     * the file exists); an application that cannot is left out of the rules.
     */
    boolean canIdentify(String path);

    /** {@code FwpmEngineClose0}. */
    @Override
    void close();
  }
}
