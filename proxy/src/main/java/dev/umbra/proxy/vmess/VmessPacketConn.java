package dev.umbra.proxy.vmess;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.nio.ByteBuffer;

/** VMess UDP: one datagram per body chunk, all to and from the request's destination. */
final class VmessPacketConn implements PacketConn {
  private final Conn carrier;
  private final ChunkReader reader;
  private final ChunkWriter writer;
  private final Destination destination;
  private final byte[] sendBuf = new byte[ChunkWriter.MAX_PAYLOAD];

  VmessPacketConn(Conn carrier, ChunkReader reader, ChunkWriter writer, Destination destination) {
    this.carrier = carrier;
    this.reader = reader;
    this.writer = writer;
    this.destination = destination;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (reader) {
      int n = reader.nextChunk();
      if (n < 0) {
        throw new java.io.EOFException("VMess UDP stream ended");
      }
      into.put(reader.chunkBuffer(), 0, Math.min(n, into.remaining()));
      return destination;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    synchronized (writer) {
      int n = from.remaining();
      if (n == 0 || n > sendBuf.length) {
        return; // an empty chunk would end the stream; an oversized one cannot be one chunk
      }
      from.get(sendBuf, 0, n);
      writer.chunk(sendBuf, 0, n);
      writer.flush();
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    carrier.setReadTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    carrier.close();
  }
}
