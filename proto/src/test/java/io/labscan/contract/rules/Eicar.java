package io.labscan.contract.rules;

import java.nio.charset.StandardCharsets;

/** The EICAR anti-virus test file: harmless bytes every scanner treats as a detection. */
public final class Eicar {
  public static final String TEXT = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  public static final byte[] BYTES = TEXT.getBytes(StandardCharsets.US_ASCII);
  public static final String MD5 = "44d88612fea8a8f36de82e1278abb02f";
  public static final String SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

  private Eicar() {}
}
