package dev.umbra.dns.transport;

import dev.umbra.core.net.Destination;
import java.net.InetAddress;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.X509TrustManager;

/**
 * A server certificate check for the QUIC library: the configured chain check, then the server's
 * identity (RFC 6125 / RFC 2818) against the name we expect. kwik's own host-name check only looks
 * at DNS names, so a server given as an IP address (an IP SAN) could never pass it; this check is
 * used in its place.
 */
final class ServerIdentity implements X509TrustManager {
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;
  private final X509TrustManager chain;
  private final String name;
  private final boolean checkName;

  /**
   * @param checkName false when {@code insecure} or pinned keys replace the name check, as for the
   *     TLS client
   */
  ServerIdentity(X509TrustManager chain, String name, boolean checkName) {
    this.chain = chain;
    this.name = name;
    this.checkName = checkName;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    throw new CertificateException("not a server-side trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    if (certs == null || certs.length == 0) {
      throw new CertificateException("the server sent no certificate");
    }
    chain.checkServerTrusted(certs, authType);
    if (checkName && !matches(certs[0], name)) {
      throw new CertificateException("the server's certificate is not valid for " + name);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }

  /**
   * Whether {@code cert} is issued for {@code name}: an IP address matches only an IP SAN; a host
   * name matches a DNS SAN (a wildcard stands for exactly one leftmost label), or the subject's CN
   * when the certificate has no DNS SAN at all.
   */
  static boolean matches(X509Certificate cert, String name) throws CertificateParsingException {
    String host = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress ip = Destination.IpLiterals.parse(host);
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    List<String> dnsNames = new ArrayList<>();
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
          continue;
        }
        if (ip != null && type == SAN_IP && san.get(1) instanceof String s) {
          InetAddress a = Destination.IpLiterals.parse(s);
          if (a != null && a.equals(ip)) {
            return true;
          }
        } else if (type == SAN_DNS && san.get(1) instanceof String s) {
          dnsNames.add(s);
        }
      }
    }
    if (ip != null) {
      return false;
    }
    if (dnsNames.isEmpty()) {
      String cn = commonName(cert);
      return cn != null && dnsMatches(cn, host);
    }
    for (String pattern : dnsNames) {
      if (dnsMatches(pattern, host)) {
        return true;
      }
    }
    return false;
  }

  static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.endsWith(".")) {
      p = p.substring(0, p.length() - 1);
    }
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    String suffix = p.substring(1); // ".example.com"
    int dot = h.indexOf('.');
    // the wildcard covers one whole label, and never a bare public suffix like "*.com"
    return dot > 0
        && h.substring(dot).equals(suffix)
        && suffix.indexOf('.', 1) > 0
        && !h.substring(0, dot).isEmpty();
  }

  private static String commonName(X509Certificate cert) {
    try {
      LdapName dn = new LdapName(cert.getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns().reversed()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
