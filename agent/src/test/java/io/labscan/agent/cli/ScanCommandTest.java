package io.labscan.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
  @TempDir Path dir;

  @Test
  void scanWritesAReportThatParsesBack() throws Exception {
    Path out = dir.resolve("report.json");
    int code = AgentMain.commandLine().execute("scan", "--root", dir.toString(),
        "--state-dir", dir.resolve("state").toString(), "--out", out.toString());
    assertThat(code).isZero();
    Report.Builder b = Report.newBuilder();
    JsonFormat.parser().merge(Files.readString(out), b);
    assertThat(b.getInventory().getHostId()).isNotEmpty();
    assertThat(b.getSequence()).isEqualTo(1);
    assertThat(b.getScan().getRoot()).isEqualTo(dir.toAbsolutePath().normalize().toString());
  }

  @Test
  void theHostIdIsStableAcrossScans() throws Exception {
    String[] ids = new String[2];
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve("r" + i + ".json");
      AgentMain.commandLine().execute("scan", "--root", dir.toString(),
          "--state-dir", dir.resolve("state").toString(), "--out", out.toString());
      Report.Builder b = Report.newBuilder();
      JsonFormat.parser().merge(Files.readString(out), b);
      ids[i] = b.getInventory().getHostId();
    }
    assertThat(ids[0]).isEqualTo(ids[1]);
  }

  @Test
  void aRootThatIsNotADirectoryIsBadInput() {
    int code = AgentMain.commandLine().execute("scan", "--root", dir.resolve("missing").toString(),
        "--state-dir", dir.resolve("state").toString(), "--out", dir.resolve("r.json").toString());
    assertThat(code).isEqualTo(2);
  }

  @Test
  void scanWithoutOutIsAUsageError() {
    assertThat(AgentMain.commandLine().execute("scan")).isEqualTo(2);
  }
}
