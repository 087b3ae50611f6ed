package dev.umbra.tor.cell;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Reads and writes cells for a negotiated link protocol: circuit IDs are 2 bytes before link
 * protocol 4 and 4 bytes from 4 on (VERSIONS always uses 2).
 */
public final class CellCodec {
  private final int circIdLen;

  public CellCodec(int linkVersion) {
    this.circIdLen = linkVersion >= 4 ? 4 : 2;
  }

  /** The codec used before versions are negotiated. */
  public static CellCodec initial() {
    return new CellCodec(3);
  }

  public byte[] encode(Cell cell) {
    int len = cell.payload().length;
    boolean var = Cell.isVariable(cell.command());
    byte[] out = new byte[circIdLen + 1 + (var ? 2 : 0) + len];
    int p = 0;
    if (circIdLen == 4) {
      out[p++] = (byte) (cell.circId() >>> 24);
      out[p++] = (byte) (cell.circId() >>> 16);
    }
    out[p++] = (byte) (cell.circId() >>> 8);
    out[p++] = (byte) cell.circId();
    out[p++] = (byte) cell.command();
    if (var) {
      out[p++] = (byte) (len >>> 8);
      out[p++] = (byte) len;
    }
    System.arraycopy(cell.payload(), 0, out, p, len);
    return out;
  }

  public void write(OutputStream out, Cell cell) throws IOException {
    out.write(encode(cell));
  }

  /**
   * Reads one cell; throws {@link EOFException} on a clean end of stream before the first byte and
   * on a truncated cell.
   */
  public Cell read(InputStream in) throws IOException {
    DataInputStream d = in instanceof DataInputStream ds ? ds : new DataInputStream(in);
    int first = d.read();
    if (first < 0) {
      throw new EOFException("channel closed");
    }
    int circId;
    if (circIdLen == 4) {
      circId = (first << 24) | (d.readUnsignedByte() << 16) | d.readUnsignedShort();
    } else {
      circId = (first << 8) | d.readUnsignedByte();
    }
    int command = d.readUnsignedByte();
    int len = Cell.isVariable(command) ? d.readUnsignedShort() : Cell.PAYLOAD_LEN;
    byte[] payload = new byte[len];
    d.readFully(payload);
    return new Cell(circId, command, payload);
  }

  /** Decodes exactly one cell from {@code bytes}; trailing bytes are an error. */
  public Cell decode(byte[] bytes) throws IOException {
    java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
    Cell c = read(in);
    if (in.available() != 0) {
      throw new TorProtocolException("trailing bytes after cell: " + in.available());
    }
    return c;
  }
}
