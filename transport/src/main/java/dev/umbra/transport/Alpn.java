package dev.umbra.transport;

import dev.umbra.tls.TlsOptions;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/** The ALPN defaults HTTP/2 transports put on their TLS layer, as sing-box does. */
final class Alpn {
  private Alpn() {}

  /** Client: {@code h2} when the user set no ALPN. */
  static TlsOptions client(TlsOptions o) {
    return o.alpn() == null || o.alpn().isEmpty() ? with(o, List.of("h2")) : o;
  }

  /** Server: {@code h2} put first unless listed; {@code fallback} when none is set. */
  static TlsOptions server(TlsOptions o, List<String> fallback) {
    if (o.alpn() == null || o.alpn().isEmpty()) {
      return with(o, fallback);
    }
    if (o.alpn().contains("h2")) {
      return o;
    }
    List<String> l = new ArrayList<>();
    l.add("h2");
    l.addAll(o.alpn());
    return with(o, l);
  }

  /** A copy of the record with another alpn list (by components, so new TLS fields carry over). */
  private static TlsOptions with(TlsOptions o, List<String> alpn) {
    try {
      RecordComponent[] rc = TlsOptions.class.getRecordComponents();
      Object[] args = new Object[rc.length];
      Class<?>[] types = new Class<?>[rc.length];
      for (int i = 0; i < rc.length; i++) {
        types[i] = rc[i].getType();
        args[i] = rc[i].getName().equals("alpn") ? alpn : rc[i].getAccessor().invoke(o);
      }
      Constructor<TlsOptions> c = TlsOptions.class.getDeclaredConstructor(types);
      return c.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy TlsOptions", e);
    }
  }
}
