package dev.umbra.netstack;

import java.time.Duration;

/**
 * Settings of a {@link NetStack}.
 *
 * @param mtu the link MTU; TCP clamps its MSS to it (WireGuard uses 1420)
 * @param tcpReceiveBuffer per-connection receive buffer in bytes (the largest window advertised)
 * @param tcpSendBuffer per-connection send buffer in bytes
 * @param maxTcpConnections cap on TCP connections of all states
 * @param maxHalfOpen cap on SYN-RECEIVED entries; beyond it the oldest is dropped
 * @param timeWait how long TIME-WAIT lasts (2 MSL)
 * @param minRto lower bound of the retransmission timeout
 * @param congestionControl "cubic" or "newreno"
 */
public record StackSettings(
    int mtu,
    int tcpReceiveBuffer,
    int tcpSendBuffer,
    int maxTcpConnections,
    int maxHalfOpen,
    Duration timeWait,
    Duration minRto,
    String congestionControl) {

  public StackSettings {
    if (mtu < 1280 || mtu > 65535) {
      throw new IllegalArgumentException("MTU " + mtu + " is outside 1280..65535");
    }
    if (tcpReceiveBuffer < 4096 || tcpReceiveBuffer > (1 << 30)) {
      throw new IllegalArgumentException("bad TCP receive buffer " + tcpReceiveBuffer);
    }
    if (tcpSendBuffer < 4096 || tcpSendBuffer > (1 << 30)) {
      throw new IllegalArgumentException("bad TCP send buffer " + tcpSendBuffer);
    }
    if (maxTcpConnections < 1 || maxHalfOpen < 1) {
      throw new IllegalArgumentException("connection caps must be positive");
    }
    CongestionControl.create(congestionControl, 1000); // validates the name
  }

  public static StackSettings defaults() {
    return new StackSettings(
        1500,
        4 << 20,
        4 << 20,
        16384,
        1024,
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        "cubic");
  }

  public StackSettings withMtu(int m) {
    return new StackSettings(
        m,
        tcpReceiveBuffer,
        tcpSendBuffer,
        maxTcpConnections,
        maxHalfOpen,
        timeWait,
        minRto,
        congestionControl);
  }

  public StackSettings withBuffers(int receive, int send) {
    return new StackSettings(
        mtu, receive, send, maxTcpConnections, maxHalfOpen, timeWait, minRto, congestionControl);
  }

  public StackSettings withCaps(int connections, int halfOpen) {
    return new StackSettings(
        mtu,
        tcpReceiveBuffer,
        tcpSendBuffer,
        connections,
        halfOpen,
        timeWait,
        minRto,
        congestionControl);
  }

  public StackSettings withTimeWait(Duration d) {
    return new StackSettings(
        mtu,
        tcpReceiveBuffer,
        tcpSendBuffer,
        maxTcpConnections,
        maxHalfOpen,
        d,
        minRto,
        congestionControl);
  }

  public StackSettings withCongestionControl(String name) {
    return new StackSettings(
        mtu,
        tcpReceiveBuffer,
        tcpSendBuffer,
        maxTcpConnections,
        maxHalfOpen,
        timeWait,
        minRto,
        name);
  }
}
