package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An inbound that can serve a connection accepted elsewhere: the target of another inbound's listen
 * {@code detour}. Blocks until the connection is done.
 */
public interface InjectableInbound extends Inbound {
  void inject(Conn conn, InetSocketAddress source) throws IOException;
}
