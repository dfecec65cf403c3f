package io.labscan.agent.checks.egress;

import java.util.Optional;

/** TCP socket states with the codes Linux prints in {@code /proc/net/tcp} ({@code include/net/tcp_states.h}). */
public enum TcpState {
  ESTABLISHED(0x01, Category.ESTABLISHED),
  SYN_SENT(0x02, Category.SYN_SENT),
  SYN_RECV(0x03, Category.NOT_OUTBOUND),
  FIN_WAIT1(0x04, Category.CLOSING),
  FIN_WAIT2(0x05, Category.CLOSING),
  TIME_WAIT(0x06, Category.TIME_WAIT),
  /**
   * Closed but still open in its process: after a refused or reset connection attempt the
   * socket keeps its remote address until the owner closes it, so it still counts as an
   * attempt to send mail.
   */
  CLOSE(0x07, Category.CLOSING),
  CLOSE_WAIT(0x08, Category.CLOSING),
  LAST_ACK(0x09, Category.CLOSING),
  LISTEN(0x0A, Category.NOT_OUTBOUND),
  CLOSING(0x0B, Category.CLOSING),
  NEW_SYN_RECV(0x0C, Category.NOT_OUTBOUND);

  /** How a state is counted in {@link io.labscan.proto.v1.SocketStateCounts}. */
  public enum Category { SYN_SENT, ESTABLISHED, CLOSING, TIME_WAIT, NOT_OUTBOUND }

  private static final TcpState[] BY_CODE = new TcpState[0x0D];

  static {
    for (TcpState s : values()) {
      BY_CODE[s.code] = s;
    }
  }

  private final int code;
  private final Category category;

  TcpState(int code, Category category) {
    this.code = code;
    this.category = category;
  }

  public int code() {
    return code;
  }

  public Category category() {
    return category;
  }

  /** True for the states an outgoing connection passes through (not listeners or half-open inbound). */
  public boolean isOutbound() {
    return category != Category.NOT_OUTBOUND;
  }

  public static Optional<TcpState> fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? Optional.ofNullable(BY_CODE[code]) : Optional.empty();
  }
}
