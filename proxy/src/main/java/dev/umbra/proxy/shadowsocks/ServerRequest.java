package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A request the server accepted: plaintext streams for the session, where the client wants to go,
 * and which user it is (null without users).
 */
record ServerRequest(InputStream in, OutputStream out, Destination destination, String user) {}
