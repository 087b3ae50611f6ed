package dev.umbra.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A UDP echo server on 127.0.0.1: every datagram goes back to its sender. */
public final class UdpEcho implements AutoCloseable {
  private final DatagramSocket socket;

  public UdpEcho() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofVirtual()
        .start(() -> {
          byte[] buf = new byte[65535];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          while (!socket.isClosed()) {
            try {
              p.setLength(buf.length);
              socket.receive(p);
              socket.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() {
    socket.close();
  }
}
