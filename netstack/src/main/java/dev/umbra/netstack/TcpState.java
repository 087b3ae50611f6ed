package dev.umbra.netstack;

/** Connection states of RFC 9293 section 3.3.2 (LISTEN is the stack's forwarder). */
public enum TcpState {
  SYN_SENT,
  SYN_RECEIVED,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  CLOSE_WAIT,
  CLOSING,
  LAST_ACK,
  TIME_WAIT,
  CLOSED
}
