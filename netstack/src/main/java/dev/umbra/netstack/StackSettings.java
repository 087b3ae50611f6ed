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
 * @param udpTimeout how long a forwarded UDP flow may stay silent before it is closed
 * @param maxUdpFlows cap on forwarded UDP flows
 */
public record StackSettings(
    int mtu,
    int tcpReceiveBuffer,
    int tcpSendBuffer,
    int maxTcpConnections,
    int maxHalfOpen,
    Duration timeWait,
    Duration minRto,
    String congestionControl,
    Duration udpTimeout,
    int maxUdpFlows) {

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
    if (maxTcpConnections < 1 || maxHalfOpen < 1 || maxUdpFlows < 1) {
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
        "cubic",
        Duration.ofMinutes(5),
        4096);
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
        congestionControl,
        udpTimeout,
        maxUdpFlows);
  }

  public StackSettings withBuffers(int receive, int send) {
    return new StackSettings(
        mtu,
        receive,
        send,
        maxTcpConnections,
        maxHalfOpen,
        timeWait,
        minRto,
        congestionControl,
        udpTimeout,
        maxUdpFlows);
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
        congestionControl,
        udpTimeout,
        maxUdpFlows);
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
        congestionControl,
        udpTimeout,
        maxUdpFlows);
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
        name,
        udpTimeout,
        maxUdpFlows);
  }

  public StackSettings withUdp(Duration timeout, int maxFlows) {
    return new StackSettings(
        mtu,
        tcpReceiveBuffer,
        tcpSendBuffer,
        maxTcpConnections,
        maxHalfOpen,
        timeWait,
        minRto,
        congestionControl,
        timeout,
        maxFlows);
  }
}
