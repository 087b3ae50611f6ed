package dev.umbra.core.dial;

import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** The operating system's resolver (getaddrinfo through the JDK). */
public final class SystemResolver implements Resolver {
  public static final SystemResolver INSTANCE = new SystemResolver();

  private SystemResolver() {}

  @Override
  public List<InetAddress> resolve(String domain) throws IOException {
    InetAddress literal = Destination.IpLiterals.parse(domain);
    if (literal != null) {
      return List.of(literal);
    }
    try {
      return List.of(InetAddress.getAllByName(domain));
    } catch (UnknownHostException e) {
      throw new UnknownHostException("cannot resolve " + domain);
    }
  }
}
