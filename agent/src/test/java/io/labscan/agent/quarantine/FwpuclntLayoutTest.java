package io.labscan.agent.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.labscan.contract.quarantine.QuarantineRules;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The JNA structures match fwpmtypes.h on 64-bit Windows (sizes from the SDK: FWPM_FILTER0 is
 * 200 bytes). Checked on any 64-bit JVM: these types align the same way on x86-64 Linux.
 */
class FwpuclntLayoutTest {
  @Test
  void theStructuresHaveTheSdkSizesOn64BitPlatforms() {
    Assumptions.assumeTrue(Native.POINTER_SIZE == 8, "64-bit JVM");

    assertThat(new FwpuclntWfpApi.FWPM_FILTER0().size()).isEqualTo(200);
    assertThat(new FwpuclntWfpApi.FWPM_FILTER_CONDITION0().size()).isEqualTo(40);
    assertThat(new FwpuclntWfpApi.FWP_VALUE0().size()).isEqualTo(16);
    assertThat(new FwpuclntWfpApi.FWPM_ACTION0().size()).isEqualTo(20);
    assertThat(new FwpuclntWfpApi.FWPM_SESSION0().size()).isEqualTo(72);
    assertThat(new FwpuclntWfpApi.FWPM_PROVIDER0().size()).isEqualTo(64);
    assertThat(new FwpuclntWfpApi.FWPM_SUBLAYER0().size()).isEqualTo(72);
    assertThat(FwpuclntWfpApi.FILTER_PROVIDER_KEY_OFFSET).isEqualTo(40);
  }

  @Test
  void guidsKeepTheirTextualForm() {
    UUID layer = WfpFilter.Layer.V4.key();

    assertThat(FwpuclntWfpApi.uuid(FwpuclntWfpApi.guid(layer))).isEqualTo(layer);
    assertThat(FwpuclntWfpApi.guid(layer).Data1).isEqualTo(0xc38d57d1);
  }

  @Test
  void anIpv4NetworkIsWrittenAsHostOrderAddressAndMask() {
    Memory m = FwpuclntWfpApi.addressAndMask(QuarantineRules.parseDestination("192.0.2.0/24").orElseThrow());

    assertThat(m.getInt(0)).isEqualTo(0xC0000200);
    assertThat(m.getInt(4)).isEqualTo(0xFFFFFF00);
  }

  @Test
  void anIpv6NetworkIsWrittenAsNetworkOrderBytesAndPrefixLength() {
    Memory m = FwpuclntWfpApi.addressAndMask(QuarantineRules.parseDestination("2001:db8::/32").orElseThrow());

    assertThat(m.getByteArray(0, 4)).containsExactly(0x20, 0x01, 0x0d, 0xb8);
    assertThat(m.getByte(16)).isEqualTo((byte) 32);
  }
}
