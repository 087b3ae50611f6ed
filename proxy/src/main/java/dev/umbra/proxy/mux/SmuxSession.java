package dev.umbra.proxy.mux;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.net.ProtocolException;

/**
 * An xtaci/smux version 1 session, as sing-mux runs it (keep-alive off): SYN opens a stream, PSH
 * carries up to 64 KiB, FIN ends a stream's sending side. Version 1 has no per-stream flow control:
 * like smux, a stream whose buffer is full holds the session's reader until it is read.
 */
final class SmuxSession extends MuxSession {
  static final int VERSION = 1;

  /** smux's default MaxFrameSize. */
  static final int MAX_FRAME = 32768;

  /** Bytes buffered per stream before the reader waits. */
  static final int STREAM_BUFFER = 256 * 1024;

  private int nextId;

  SmuxSession(Conn carrier, boolean client) {
    super(carrier, client);
    // smux: a client's first stream is 3 (1 + 2), a server's 2
    this.nextId = client ? 1 : 0;
  }

  @Override
  public MuxStream open() throws IOException {
    MuxStream s;
    synchronized (this) {
      if (isClosed()) {
        throw new IOException("mux session closed");
      }
      nextId += 2;
      if (nextId < 0) {
        throw new IOException("smux stream ids exhausted");
      }
      s = new MuxStream(nextId, this, STREAM_BUFFER);
      streams.put(s.id, s);
    }
    writeFrame(new SmuxFrame(VERSION, SmuxFrame.SYN, 0, s.id).encode(), null, 0, 0);
    return s;
  }

  @Override
  void readFrame() throws IOException {
    byte[] h = new byte[SmuxFrame.HEADER];
    in.readFully(h);
    SmuxFrame f = SmuxFrame.decode(h);
    if (f.version() != VERSION) {
      throw new ProtocolException("smux frame of version " + f.version());
    }
    int id = f.streamId();
    switch (f.cmd()) {
      case SmuxFrame.SYN -> {
        if (f.length() != 0) {
          throw new ProtocolException("smux SYN with " + f.length() + " bytes");
        }
        if ((id & 1) != (client ? 0 : 1) || id == 0) {
          throw new ProtocolException("smux SYN for stream " + id + " of the wrong side");
        }
        synchronized (this) {
          highestPeerId = Math.max(highestPeerId, id);
        }
        if (!streams.containsKey(id)) {
          MuxStream s = new MuxStream(id, this, STREAM_BUFFER);
          if (!admit(s)) {
            writeFrame(new SmuxFrame(VERSION, SmuxFrame.FIN, 0, id).encode(), null, 0, 0);
          }
        }
      }
      case SmuxFrame.FIN -> {
        skip(f.length());
        MuxStream s = streams.get(id);
        if (s == null && neverOpened(id)) {
          throw new ProtocolException("smux FIN for stream " + id + " which was never opened");
        }
        if (s != null) {
          s.remoteFinish();
          if (s.isFinished()) {
            streams.remove(id);
          }
        }
      }
      case SmuxFrame.PSH -> {
        byte[] data = new byte[f.length()];
        in.readFully(data);
        MuxStream s = streams.get(id);
        if (s == null && neverOpened(id)) {
          throw new ProtocolException("smux data for stream " + id + " which was never opened");
        }
        if (s != null && data.length > 0) {
          s.deliver(data, true);
        }
      }
      case SmuxFrame.NOP -> skip(f.length());
      case SmuxFrame.UPD ->
          throw new ProtocolException("smux window update (version 2) in a version 1 session");
      default -> throw new ProtocolException("smux frame with unknown command " + f.cmd());
    }
  }

  @Override
  protected synchronized boolean neverOpened(int id) {
    boolean ours = (id & 1) == (client ? 1 : 0);
    return ours ? id > nextId : id > highestPeerId;
  }

  @Override
  public void write(MuxStream s, byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, MAX_FRAME);
      writeFrame(new SmuxFrame(VERSION, SmuxFrame.PSH, n, s.id).encode(), b, off, n);
      off += n;
      len -= n;
    }
  }

  @Override
  public void finish(MuxStream s) throws IOException {
    writeFrame(new SmuxFrame(VERSION, SmuxFrame.FIN, 0, s.id).encode(), null, 0, 0);
    if (s.remoteFinished()) {
      streams.remove(s.id);
    }
  }

  @Override
  public void consumed(MuxStream s, int n) {}

  @Override
  public void closed(MuxStream s) {
    streams.remove(s.id);
    if (!s.isFinished() && !isClosed()) {
      try {
        writeFrame(new SmuxFrame(VERSION, SmuxFrame.FIN, 0, s.id).encode(), null, 0, 0);
      } catch (IOException e) {
        // the session is gone, and the stream with it
      }
    }
  }
}
