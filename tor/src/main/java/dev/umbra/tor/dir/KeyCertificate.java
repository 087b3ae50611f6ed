package dev.umbra.tor.dir;

import dev.umbra.tor.crypto.Rsa;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A directory authority's key certificate (dir-spec "key certificates"): the long-term RSA identity
 * (its SHA-1 is the v3ident) certifies a medium-term signing key. Parsing checks the fingerprint,
 * the certification signature and the signing key's cross-certificate.
 */
public record KeyCertificate(
    String fingerprint,
    Instant published,
    Instant expires,
    RSAPublicKey identityKey,
    RSAPublicKey signingKey,
    String signingKeyDigest,
    String text) {

  /** Parses every certificate of a /tor/keys/... answer. */
  public static List<KeyCertificate> parseAll(String text) throws DirException {
    List<KeyCertificate> out = new ArrayList<>();
    int pos = text.indexOf("dir-key-certificate-version");
    while (pos >= 0) {
      int next = text.indexOf("\ndir-key-certificate-version", pos + 1);
      String one = next < 0 ? text.substring(pos) : text.substring(pos, next + 1);
      out.add(parse(one));
      pos = next < 0 ? -1 : next + 1;
      if (out.size() > 64) {
        throw new DirException("too many key certificates");
      }
    }
    return out;
  }

  public static KeyCertificate parse(String text) throws DirException {
    List<DocReader.Item> items = DocReader.items(text);
    if (items.isEmpty()
        || !items.getFirst().keyword().equals("dir-key-certificate-version")
        || !items.getFirst().arg(0).equals("3")) {
      throw new DirException("not a version 3 key certificate");
    }
    String fp = null;
    Instant published = null;
    Instant expires = null;
    byte[] idDer = null;
    byte[] signDer = null;
    byte[] crossSig = null;
    byte[] certSig = null;
    int certOffset = -1;
    for (DocReader.Item it : items) {
      switch (it.keyword()) {
        case "fingerprint" -> fp = it.arg(0).toUpperCase(java.util.Locale.ROOT);
        case "dir-key-published" -> published = DocReader.time(it);
        case "dir-key-expires" -> expires = DocReader.time(it);
        case "dir-identity-key" -> idDer = object(it, "RSA PUBLIC KEY");
        case "dir-signing-key" -> signDer = object(it, "RSA PUBLIC KEY");
        case "dir-key-crosscert" -> crossSig = it.object();
        case "dir-key-certification" -> {
          certSig = object(it, "SIGNATURE");
          certOffset = it.offset();
        }
        default -> {}
      }
    }
    if (fp == null
        || published == null
        || expires == null
        || idDer == null
        || signDer == null
        || crossSig == null
        || certSig == null) {
      throw new DirException("key certificate lacks a required item");
    }
    try {
      RSAPublicKey id = Rsa.fromPkcs1(idDer);
      RSAPublicKey signing = Rsa.fromPkcs1(signDer);
      byte[] idDigest = sha("SHA-1", idDer);
      if (!HexFormat.of().withUpperCase().formatHex(idDigest).equals(fp)) {
        throw new DirException("key certificate fingerprint does not match its identity key");
      }
      String signedText = text.substring(0, text.indexOf('\n', certOffset) + 1);
      byte[] digest = sha("SHA-1", signedText.getBytes(StandardCharsets.ISO_8859_1));
      if (!Rsa.verifyRaw(id, certSig, digest)) {
        throw new DirException("key certificate " + fp + ": bad certification signature");
      }
      if (!Rsa.verifyRaw(signing, crossSig, idDigest)) {
        throw new DirException("key certificate " + fp + ": bad signing-key cross-certificate");
      }
      String skDigest = HexFormat.of().withUpperCase().formatHex(sha("SHA-1", signDer));
      return new KeyCertificate(fp, published, expires, id, signing, skDigest, text);
    } catch (GeneralSecurityException e) {
      throw new DirException("key certificate: bad RSA key", e);
    }
  }

  private static byte[] object(DocReader.Item it, String type) throws DirException {
    if (it.object() == null || !type.equals(it.objectType())) {
      throw new DirException(it.keyword() + ": expected a " + type + " object");
    }
    return it.object();
  }

  static byte[] sha(String alg, byte[] b) {
    try {
      return MessageDigest.getInstance(alg).digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
