package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import jakarta.mail.Address;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one mailbox folder over IMAP with TLS and IDLE, and hands each new message to the
 * {@link ComplaintHandler} once.
 *
 * <p><b>Once, and nothing lost.</b> Every handled message is written to the {@link ComplaintLog}
 * under (mailbox, UIDVALIDITY, UID) before it is moved; at every (re)connection the watcher
 * first finishes the moves a stop interrupted, then reads the UIDs above the highest handled
 * one. So a controller restart or an IMAP outage loses nothing and triages nothing twice. When
 * the folder's UIDVALIDITY changed (the server rebuilt it), every UID is new: from then on each
 * message is first looked up by its Message-ID (else the SHA-256 of its bytes) among the
 * complaints this mailbox already had, and one found there is only moved, not triaged again. If the
 * controller stops between triage and the log write, the message is triaged again at the next
 * start; its evidence is keyed by its Message-ID ({@code complaint_traces}), so it counts once.
 *
 * <p><b>Nothing is deleted.</b> A handled message is moved with IMAP MOVE (RFC 6851) into a
 * handled folder of the same account ("Triaged", "No origin", "Not a complaint"; created and
 * subscribed if missing): it leaves the watched folder, never the mailbox. A server without
 * MOVE gets COPY, and the original stays in the watched folder flagged {@code \Seen} and
 * {@code $LabScanHandled}. A message triage failed on stays where it is, with its error on the
 * Complaints page; it is not retried automatically (a message that crashes triage would crash
 * it again).
 *
 * <p><b>Hostile mail is bounded.</b> The IMAP size is read before the message: a larger one is
 * never downloaded (and a server that lies about the size is cut off at the limit) and goes to
 * "Not a complaint" with the reason. At most {@link WatchSettings#perMinute()} messages are
 * triaged per minute; the rest wait in the mailbox, so a flood costs the IMAP server's disk,
 * not the controller's memory or the verdicts' time.
 *
 * <p><b>Connections.</b> IDLE (RFC 2177) is renewed every {@link WatchSettings#idleRefresh()},
 * which also catches up on anything an IDLE notification missed; a server without IDLE is polled
 * as often. Any connection error closes the connection and a new one is tried after a pause
 * that doubles from {@link WatchSettings#firstBackoff()} to {@link WatchSettings#maxBackoff()},
 * and goes back to the first after a successful catch-up. Only TLS is spoken: {@code imaps}, or
 * {@code imap} with STARTTLS required; the server's certificate must chain to the system's CAs
 * or the configured CA file, and name the host.
 */
public final class MailboxWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MailboxWatcher.class);
  /** The keyword set on a handled message when the server cannot MOVE and it stays. */
  public static final String HANDLED_KEYWORD = "$LabScanHandled";
  /** Messages fetched (envelopes) per round trip. */
  static final int BATCH = 50;

  private final MailboxConfig config;
  private final WatchSettings settings;
  private final ComplaintLog complaints;
  private final ComplaintHandler handler;
  private final Clock clock;
  private final String key;
  private final RateGate rate;
  private final AtomicLong handled = new AtomicLong();
  private final ScheduledExecutorService refresher;
  private volatile boolean closed;
  private volatile @Nullable Thread thread; // null until started
  private volatile @Nullable IMAPFolder current; // null while not connected
  private volatile MailboxStatus status;
  /** Asked before each message is triaged: false once another controller watches the mailbox. */
  private final java.util.function.BooleanSupplier mayHandle;

  public MailboxWatcher(MailboxConfig config, WatchSettings settings, ComplaintLog complaints,
      ComplaintHandler handler, Clock clock) {
    this(config, settings, complaints, handler, clock, () -> true);
  }

  /**
   * As the other constructor; each new message is triaged only when {@code mayHandle} says so
   * right before (issue 20: the controller holding the complaint mailboxes' lock), so a
   * controller that lost the lock leaves the message to the one that took it.
   */
  public MailboxWatcher(MailboxConfig config, WatchSettings settings, ComplaintLog complaints,
      ComplaintHandler handler, Clock clock, java.util.function.BooleanSupplier mayHandle) {
    this.mayHandle = requireNonNull(mayHandle, "mayHandle");
    this.config = requireNonNull(config, "config");
    this.settings = requireNonNull(settings, "settings");
    this.complaints = requireNonNull(complaints, "complaints");
    this.handler = requireNonNull(handler, "handler");
    this.clock = requireNonNull(clock, "clock");
    this.key = config.address().key();
    this.rate = new RateGate(settings.perMinute());
    this.status = new MailboxStatus(key, "stopped", clock.instant(), Optional.empty(), 0);
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-imap-refresh");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts watching on a thread of its own. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    Thread t = new Thread(this::run, "labscan-imap-" + config.address().host());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  public MailboxStatus status() {
    MailboxStatus s = status;
    return new MailboxStatus(s.mailbox(), s.state(), s.since(), s.lastError(), handled.get());
  }

  private void state(String state, Optional<String> error) {
    status = new MailboxStatus(key, state, clock.instant(), error.or(() -> status.lastError()), handled.get());
  }

  private void run() {
    Duration backoff = settings.firstBackoff();
    while (!closed) {
      Store store = null;
      try {
        state("connecting", Optional.empty());
        store = connect();
        IMAPFolder folder = (IMAPFolder) store.getFolder(config.address().folder());
        if (!folder.exists()) {
          throw new MessagingException("folder " + config.address().folder() + " does not exist");
        }
        Map<String, Folder> targets = ensureFolders(store);
        folder.open(Folder.READ_WRITE);
        current = folder;
        boolean move = ((IMAPStore) store).hasCapability("MOVE");
        boolean idle = ((IMAPStore) store).hasCapability("IDLE");
        log.info("Watching complaint mailbox {} ({}, {})", key, idle ? "IDLE" : "polling",
            move ? "MOVE" : "COPY: handled messages stay flagged " + HANDLED_KEYWORD);
        while (!closed) {
          catchUp(folder, targets, move);
          backoff = settings.firstBackoff();
          state("watching", Optional.empty());
          waitForMail(folder, idle);
        }
      } catch (MessagingException | RuntimeException | IOException | GeneralSecurityException e) {
        if (closed) {
          break;
        }
        String error = describe(e);
        log.warn("Complaint mailbox {}: {}; reconnecting in {} ms", key, error, backoff.toMillis());
        state("retrying", Optional.of(error));
      } finally {
        current = null;
        closeQuietly(store);
      }
      if (closed || !pause(backoff)) {
        break;
      }
      backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
          : backoff.multipliedBy(2);
    }
    state("stopped", Optional.empty());
  }

  /** A connection error for people: the exception chain's messages, never the password. */
  static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      sb.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
    return MailText.clean(sb.toString(), 600);
  }

  private Store connect() throws MessagingException, IOException, GeneralSecurityException {
    MailboxAddress a = config.address();
    String p = "mail." + a.protocol() + ".";
    Properties props = new Properties();
    props.put("mail.store.protocol", a.protocol());
    props.put(p + "connectiontimeout", Long.toString(settings.timeout().toMillis()));
    props.put(p + "timeout", Long.toString(settings.timeout().toMillis()));
    props.put(p + "writetimeout", Long.toString(settings.timeout().toMillis()));
    props.put(p + "ssl.checkserveridentity", "true");
    props.put(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
    props.put(p + "ssl.socketFactory", socketFactory());
    props.put(p + "peek", "true");
    props.put(p + "partialfetch", "true");
    props.put(p + "fetchsize", Integer.toString(256 * 1024));
    if (!a.tls()) {
      props.put(p + "starttls.enable", "true");
      props.put(p + "starttls.required", "true");
    }
    Session session = Session.getInstance(props);
    Store store = session.getStore(a.protocol());
    store.connect(a.host(), a.port(), a.user(), config.password());
    return store;
  }

  /** TLS trusting the system's CAs, or only the configured CA file's certificates. */
  private SSLSocketFactory socketFactory() throws IOException, GeneralSecurityException {
    if (config.caFile().isEmpty()) {
      return (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(config.caFile().get())) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in " + config.caFile().get());
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx.getSocketFactory();
  }

  private Map<String, Folder> ensureFolders(Store store) throws MessagingException {
    Map<String, Folder> out = new HashMap<>();
    for (Outcome o : Outcome.values()) {
      Optional<String> name = settings.folderFor(o);
      if (name.isEmpty() || out.containsKey(name.get())) {
        continue;
      }
      Folder f = store.getFolder(name.get());
      if (!f.exists()) {
        try {
          if (f.create(Folder.HOLDS_MESSAGES)) {
            f.setSubscribed(true);
            log.info("Created folder {} in {}", name.get(), key);
          }
        } catch (MessagingException e) {
          if (!f.exists()) {
            throw e;
          }
        }
        if (!f.exists()) {
          throw new MessagingException("cannot create folder " + name.get());
        }
      }
      out.put(name.get(), f);
    }
    return out;
  }

  /** Finishes interrupted moves, then handles every message above the highest handled UID. */
  private void catchUp(IMAPFolder folder, Map<String, Folder> targets, boolean move) throws MessagingException {
    long validity = folder.getUIDValidity();
    for (ComplaintLog.PendingMove pending : complaints.pendingMoves(key, validity, settings)) {
      move(folder, validity, pending.uid(), pending.folder(), targets, move);
    }
    // Once the folder had another UIDVALIDITY, every message is first looked up by its key: the
    // messages of the rebuilt folder may be spread over many batches and connections.
    boolean rescan = complaints.seenUnderOtherValidity(key, validity);
    boolean warned = false;
    while (!closed) {
      long last = complaints.lastUid(key, validity).orElse(0);
      // "UID n:*" names the last message even when its UID is below n: keep only the new ones.
      List<Message> fresh = new ArrayList<>();
      for (Message m : folder.getMessagesByUID(last + 1, UIDFolder.MAXUID)) {
        if (m != null && !m.isExpunged() && folder.getUID(m) > last) {
          fresh.add(m);
        }
      }
      if (fresh.isEmpty()) {
        return;
      }
      if (rescan && last == 0 && !warned) {
        warned = true;
        log.warn("Complaint mailbox {}: UIDVALIDITY is now {} (the server rebuilt the folder); matching {} "
            + "message(s) with the complaints already handled by Message-ID", key, validity, fresh.size());
      }
      fresh.sort(Comparator.comparingLong(m -> uid(folder, m)));
      List<Message> batch = fresh.subList(0, Math.min(BATCH, fresh.size()));
      FetchProfile profile = new FetchProfile();
      profile.add(UIDFolder.FetchProfileItem.UID);
      profile.add(FetchProfile.Item.ENVELOPE);
      profile.add(FetchProfile.Item.SIZE);
      folder.fetch(batch.toArray(new Message[0]), profile);
      for (Message m : batch) {
        if (closed) {
          return;
        }
        handleOne(folder, validity, m, rescan, targets, move);
      }
    }
  }

  private static long uid(IMAPFolder folder, Message m) {
    try {
      return folder.getUID(m);
    } catch (MessagingException e) {
      return Long.MAX_VALUE;
    }
  }

  private void handleOne(IMAPFolder folder, long validity, Message m, boolean rescan, Map<String, Folder> targets,
      boolean move) throws MessagingException {
    long uid = folder.getUID(m);
    if (complaints.movedTo(key, validity, uid).isPresent()) {
      return;
    }
    if (!mayHandle.getAsBoolean()) {
      return; // another controller watches this mailbox now; this watch is being stopped
    }
    long size = m.getSize();
    String subject = quietly(m::getSubject);
    String from = quietly(() -> from(m.getFrom()));
    String messageId = quietly(() -> ((org.eclipse.angus.mail.imap.IMAPMessage) m).getMessageID());
    Instant received = Optional.ofNullable(quietlyDate(m)).orElse(clock.instant());
    if (!rescan && !rate.acquire(() -> closed)) {
      return;
    }
    Optional<byte[]> bytes = Optional.empty();
    String downloadError = null;
    if (size <= settings.maxMessageBytes()) {
      try {
        bytes = download(m);
      } catch (IOException | MessagingException e) {
        if (!folder.isOpen() || !folder.getStore().isConnected()) {
          throw e instanceof MessagingException me ? me : new MessagingException(e.getMessage(), e);
        }
        downloadError = describe(e);
      }
    }
    ComplaintHandler.Message message = new ComplaintHandler.Message(key, received, size, subject, from,
        Optional.ofNullable(messageId).filter(s -> !s.isBlank()), bytes);
    if (rescan) {
      Optional<ComplaintRecord> earlier = complaints.byKey(key, message.key());
      if (earlier.isPresent()) {
        complaints.sameAs(key, validity, uid, earlier.get());
        Optional<String> target = settings.folderFor(earlier.get().outcome());
        if (target.isPresent()) {
          move(folder, validity, uid, target.get(), targets, move);
        }
        return;
      }
      if (!rate.acquire(() -> closed)) {
        return;
      }
    }
    ComplaintRecord record;
    if (downloadError != null) {
      record = handler.failed(message, "could not download the message: " + downloadError);
    } else {
      record = handler.handle(message);
    }
    ComplaintLog.Saved stored = complaints.record(record, validity, uid);
    ComplaintRecord saved = stored.complaint();
    if (!stored.first()) {
      // Another controller recorded this message meanwhile (it held the mailboxes' lock too, for
      // a moment): it raises the alert and moves the message; nothing here counts twice.
      log.info("Complaint from {} (UID {}) was recorded already as #{} by another controller; not again.", key, uid,
          saved.seq());
      return;
    }
    handled.incrementAndGet();
    log.info("Complaint #{} from {} (UID {}): {}{}", saved.seq(), key, uid, saved.outcome().id(),
        saved.summary().isEmpty() ? " " + saved.detail() : " " + saved.summary());
    try {
      handler.alertIfNeeded(saved);
    } catch (RuntimeException e) {
      log.warn("Alert for complaint #{} failed: {}", saved.seq(), e.getMessage());
    }
    Optional<String> target = settings.folderFor(saved.outcome());
    if (target.isPresent()) {
      move(folder, validity, uid, target.get(), targets, move);
    }
  }

  private void move(IMAPFolder folder, long validity, long uid, String target, Map<String, Folder> targets,
      boolean move) throws MessagingException {
    Message m = folder.getMessageByUID(uid);
    if (m == null || m.isExpunged()) {
      complaints.moved(key, validity, uid, "(gone)");
      return;
    }
    Folder dest = targets.get(target);
    if (dest == null || dest.getFullName().equals(folder.getFullName())) {
      complaints.moved(key, validity, uid, "");
      return;
    }
    if (move) {
      folder.moveMessages(new Message[] {m}, dest);
    } else {
      folder.copyMessages(new Message[] {m}, dest);
      Flags flags = new Flags(Flags.Flag.SEEN);
      if (folder.getPermanentFlags().contains(Flags.Flag.USER)) {
        flags.add(HANDLED_KEYWORD);
      }
      m.setFlags(flags, true);
    }
    complaints.moved(key, validity, uid, target);
  }

  /** The message's bytes, cut off (empty) when the server sends more than the limit. */
  private Optional<byte[]> download(Message m) throws IOException, MessagingException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(m.getSize() + 1024L, 1 << 20));
    try {
      m.writeTo(new Bounded(out, settings.maxMessageBytes()));
    } catch (Bounded.TooLarge e) {
      return Optional.empty();
    }
    return Optional.of(out.toByteArray());
  }

  /** Waits for new mail: IDLE, ended after the refresh interval; or a poll interval's sleep. */
  private void waitForMail(IMAPFolder folder, boolean idle) throws MessagingException {
    if (!idle) {
      pause(settings.idleRefresh());
      folder.getMessageCount();
      return;
    }
    ScheduledFuture<?> renew = refresher.schedule(() -> abortIdle(folder), settings.idleRefresh().toMillis(),
        TimeUnit.MILLISECONDS);
    try {
      folder.idle(true);
    } finally {
      renew.cancel(false);
    }
  }

  /** Ends a running IDLE from another thread: any command on the folder sends DONE first. */
  private static void abortIdle(IMAPFolder folder) {
    try {
      folder.doCommandIgnoreFailure(p -> {
        p.simpleCommand("NOOP", null);
        return null;
      });
    } catch (MessagingException | RuntimeException e) {
      // The watcher thread sees the broken connection itself.
    }
  }

  private boolean pause(Duration d) {
    try {
      long end = System.nanoTime() + d.toNanos();
      while (!closed) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String from(Address[] from) {
    if (from == null || from.length == 0) {
      return "";
    }
    Address a = from[0];
    if (a instanceof InternetAddress ia) {
      return ia.getPersonal() == null ? String.valueOf(ia.getAddress()) : ia.getPersonal() + " <" + ia.getAddress() + ">";
    }
    return a.toString();
  }

  private interface Read {
    String get() throws MessagingException;
  }

  /** Header values of hostile mail may not parse: they are shown, never trusted, so '' will do. */
  private static String quietly(Read r) {
    try {
      String s = r.get();
      return s == null ? "" : s;
    } catch (MessagingException | RuntimeException e) {
      return "";
    }
  }

  private static @Nullable Instant quietlyDate(Message m) {
    try {
      return m.getReceivedDate() == null ? null : m.getReceivedDate().toInstant();
    } catch (MessagingException | RuntimeException e) {
      return null;
    }
  }

  private static void closeQuietly(@Nullable Store store) {
    if (store == null) {
      return;
    }
    try {
      store.close();
    } catch (MessagingException | RuntimeException e) {
      // closing a broken connection
    }
  }

  /** Stops the watch: ends IDLE, closes the connection, waits for the thread (10 s at most). */
  @Override
  public void close() {
    closed = true;
    IMAPFolder folder = current;
    if (folder != null) {
      refresher.execute(() -> abortIdle(folder));
    }
    Thread t = thread;
    if (t != null) {
      try {
        t.join(10_000);
        if (t.isAlive()) {
          t.interrupt();
          t.join(2_000);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    refresher.shutdownNow();
  }

  /** An output stream that refuses more than its limit. */
  private static final class Bounded extends OutputStream {
    static final class TooLarge extends IOException {
      TooLarge() {
        super("larger than the limit");
      }
    }

    private final OutputStream out;
    private final long limit;
    private long written;

    Bounded(OutputStream out, long limit) {
      this.out = out;
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      if (++written > limit) {
        throw new TooLarge();
      }
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      written += len;
      if (written > limit) {
        throw new TooLarge();
      }
      out.write(b, off, len);
    }
  }

  /**
   * At most {@code perMinute} messages a minute, in bursts of at most that many: a token bucket
   * that waits (in steps, so a stop is noticed) rather than refuses, because the mailbox keeps
   * what waits.
   */
  static final class RateGate {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    RateGate(int perMinute) {
      this.perNano = perMinute / 60e9;
      this.burst = perMinute;
      this.tokens = perMinute;
    }

    /** Takes a token, waiting for one; false when {@code stop} says so first. */
    boolean acquire(java.util.function.BooleanSupplier stop) {
      while (!stop.getAsBoolean()) {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
          tokens -= 1;
          return true;
        }
        long waitNanos = (long) Math.ceil((1 - tokens) / perNano);
        try {
          TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(200)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  @Override
  public String toString() {
    return "MailboxWatcher[" + key + "]";
  }
}
