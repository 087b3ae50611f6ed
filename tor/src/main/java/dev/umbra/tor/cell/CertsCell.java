package dev.umbra.tor.cell;

import java.util.ArrayList;
import java.util.List;

/** CERTS cell: a list of (type, certificate bytes). */
public record CertsCell(List<Entry> certs) {
  /** One certificate of the CERTS cell. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Entry(int type, byte[] body) {}

  public static final int RSA_LINK = 1;
  public static final int RSA_ID = 2;
  public static final int RSA_AUTH = 3;
  public static final int ED_ID_SIGNING = 4;
  public static final int ED_SIGNING_LINK = 5;
  public static final int ED_SIGNING_AUTH = 6;
  public static final int RSA_ED_CROSSCERT = 7;

  public CertsCell {
    certs = List.copyOf(certs);
  }

  /** The body of the only certificate of {@code type}; a duplicate is a protocol error. */
  public byte[] single(int type) throws TorProtocolException {
    byte[] found = null;
    for (Entry e : certs) {
      if (e.type() == type) {
        if (found != null) {
          throw new TorProtocolException("CERTS: duplicate certificate of type " + type);
        }
        found = e.body();
      }
    }
    if (found == null) {
      throw new TorProtocolException("CERTS: missing certificate of type " + type);
    }
    return found;
  }

  public static CertsCell decode(Cell cell) throws TorProtocolException {
    if (cell.command() != Cell.CERTS) {
      throw new TorProtocolException("expected CERTS, got command " + cell.command());
    }
    Bytes r = new Bytes(cell.payload(), "CERTS");
    int n = r.u8();
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int type = r.u8();
      int len = r.u16();
      out.add(new Entry(type, r.take(len)));
    }
    if (r.remaining() != 0) {
      throw new TorProtocolException("CERTS: trailing bytes");
    }
    return new CertsCell(out);
  }

  public Cell encode() {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(certs.size());
    for (Entry e : certs) {
      b.write(e.type());
      b.write(e.body().length >>> 8);
      b.write(e.body().length);
      b.writeBytes(e.body());
    }
    return new Cell(0, Cell.CERTS, b.toByteArray());
  }
}
