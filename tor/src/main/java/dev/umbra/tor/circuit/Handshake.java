package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.Create2;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.crypto.HopCrypto;
import dev.umbra.tor.crypto.Ntor;
import dev.umbra.tor.crypto.NtorV3;

/**
 * One CREATE2/EXTEND2 handshake in flight: ntor, or ntor-v3 optionally carrying the congestion
 * control request extension (prop 324 §10.3).
 */
sealed interface Handshake {
  int EXT_CC_REQUEST = 1;
  int EXT_CC_RESPONSE = 2;

  int htype();

  byte[] onionskin();

  /** The tor1 key material (72 bytes) from the relay's reply. */
  byte[] finish(byte[] reply) throws TorProtocolException;

  /** The SENDME increment the relay granted with congestion control, or 0 (fixed windows). */
  default int grantedSendmeInc() {
    return 0;
  }

  static Handshake start(HopSpec hop) {
    return start(hop, false);
  }

  static Handshake start(HopSpec hop, boolean requestCc) {
    if (hop.ntorV3()) {
      // N_EXTENSIONS, then the empty CC request field when asked for; else no extensions and
      // the hop keeps fixed SENDME windows.
      byte[] msg = requestCc ? new byte[] {1, EXT_CC_REQUEST, 0} : new byte[] {0};
      return new V3(
          NtorV3.start(hop.target().ed25519Id(), hop.ntorOnionKey(), msg), requestCc, new int[1]);
    }
    if (requestCc) {
      throw new IllegalArgumentException("congestion control needs ntor-v3");
    }
    return new V1(Ntor.start(hop.target().rsaId(), hop.ntorOnionKey()));
  }

  /** ntor (HTYPE 2). */
  record V1(Ntor.ClientState state) implements Handshake {
    @Override
    public int htype() {
      return Create2.HTYPE_NTOR;
    }

    @Override
    public byte[] onionskin() {
      return state.onionskin();
    }

    @Override
    public byte[] finish(byte[] reply) throws TorProtocolException {
      return Ntor.finish(state, reply, HopCrypto.KEY_LEN);
    }
  }

  /** ntor-v3 (HTYPE 3); {@code granted[0]} receives the negotiated SENDME increment. */
  @SuppressWarnings("ArrayRecordComponent")
  record V3(NtorV3.ClientState state, boolean requestedCc, int[] granted) implements Handshake {
    @Override
    public int grantedSendmeInc() {
      return granted[0];
    }

    @Override
    public int htype() {
      return Create2.HTYPE_NTOR_V3;
    }

    @Override
    public byte[] onionskin() {
      return state.onionskin();
    }

    @Override
    public byte[] finish(byte[] reply) throws TorProtocolException {
      NtorV3.Result r = NtorV3.finish(state, reply, HopCrypto.KEY_LEN);
      granted[0] = ccResponse(r.serverMessage(), requestedCc);
      return r.keys();
    }
  }

  /**
   * Reads the relay's ntor-v3 extensions: the first CC response gives the SENDME increment; unknown
   * fields are ignored; a CC response we did not ask for is a protocol violation.
   */
  static int ccResponse(byte[] m, boolean requested) throws TorProtocolException {
    if (m.length == 0) {
      return 0;
    }
    int n = m[0] & 0xFF;
    int pos = 1;
    int inc = 0;
    for (int i = 0; i < n; i++) {
      if (pos + 2 > m.length) {
        throw new TorProtocolException("truncated ntor-v3 extension list");
      }
      int type = m[pos] & 0xFF;
      int len = m[pos + 1] & 0xFF;
      pos += 2;
      if (pos + len > m.length) {
        throw new TorProtocolException("truncated ntor-v3 extension " + type);
      }
      if (type == EXT_CC_RESPONSE && inc == 0) {
        if (!requested) {
          throw new TorProtocolException("relay granted congestion control we did not request");
        }
        if (len != 1 || (m[pos] & 0xFF) == 0) {
          throw new TorProtocolException("bad congestion control response");
        }
        inc = m[pos] & 0xFF;
      }
      pos += len;
    }
    return inc;
  }
}
