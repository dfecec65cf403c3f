package io.labscan.agent.worker;

import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Stand-ins for the scan worker, run as real child JVMs by the tests: each main takes the
 * worker's arguments ({@code --state-dir=DIR …}) and misbehaves in one way.
 */
final class FakeWorkers {
  static final String PID_FILE = "worker.pid";

  private FakeWorkers() {}

  static Path stateDir(String[] args) {
    for (String a : args) {
      if (a.startsWith("--state-dir=")) {
        return Path.of(a.substring("--state-dir=".length()));
      }
    }
    throw new IllegalArgumentException("no --state-dir");
  }

  static void writePid(String[] args) throws Exception {
    Path tmp = stateDir(args).resolve(PID_FILE + ".tmp");
    Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
    Files.move(tmp, stateDir(args).resolve(PID_FILE));
  }

  /** Dies as a JVM crash would, with status 134. */
  static final class Crash {
    public static void main(String[] args) {
      Runtime.getRuntime().halt(134);
    }
  }

  /** Exits as a JVM with -XX:+ExitOnOutOfMemoryError does when its heap is full: status 3. */
  static final class OutOfMemory {
    public static void main(String[] args) {
      System.err.println("Terminating due to java.lang.OutOfMemoryError: Java heap space");
      Runtime.getRuntime().halt(3);
    }
  }

  /** Says why it fails on stderr, then exits with status 7. */
  static final class Complain {
    public static void main(String[] args) {
      System.err.println("Cannot read the policy: disk on fire");
      System.exit(7);
    }
  }

  /** Never finishes. */
  static final class Hang {
    public static void main(String[] args) throws Exception {
      writePid(args);
      new CountDownLatch(1).await();
    }
  }

  /** Exits 0 without writing a report. */
  static final class NoReport {
    public static void main(String[] args) {
      System.exit(0);
    }
  }

  /** Writes a well-formed full-scan report that names another host. */
  static final class OtherHost {
    public static void main(String[] args) throws Exception {
      Report report = Report.newBuilder()
          .setReportId(UUID.randomUUID().toString())
          .setInventory(HostInventory.newBuilder().setHostId(UUID.randomUUID().toString()))
          .setScan(ScanSummary.newBuilder().setKind(ScanKind.SCAN_KIND_FULL).setTrigger("schedule"))
          .build();
      WorkerFiles.write(WorkerFiles.folder(stateDir(args)).resolve(WorkerFiles.REPORT), report);
      System.exit(0);
    }
  }

  /** Writes bytes that are no protobuf message. */
  static final class Garbage {
    public static void main(String[] args) throws Exception {
      Files.write(WorkerFiles.folder(stateDir(args)).resolve(WorkerFiles.REPORT), new byte[] {(byte) 0xff, 0x7f, 1});
      System.exit(0);
    }
  }

  /** Watches its standard input as the real worker does, and otherwise waits forever. */
  static final class WatchParent {
    public static void main(String[] args) throws Exception {
      ScanWorker.exitWhenParentGoes(System.in);
      new CountDownLatch(1).await();
    }
  }
}
