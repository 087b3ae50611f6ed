package dev.umbra.tor.circuit;

import dev.umbra.tor.cell.Create2;
import dev.umbra.tor.cell.TorProtocolException;
import dev.umbra.tor.crypto.HopCrypto;
import dev.umbra.tor.crypto.Ntor;
import dev.umbra.tor.crypto.NtorV3;

/** One CREATE2/EXTEND2 handshake in flight: ntor or ntor-v3 (with no extensions requested). */
sealed interface Handshake {
  int htype();

  byte[] onionskin();

  /** The tor1 key material (72 bytes) from the relay's reply. */
  byte[] finish(byte[] reply) throws TorProtocolException;

  static Handshake start(HopSpec hop) {
    if (hop.ntorV3()) {
      // An empty extension list: no congestion control requested, so the hop keeps the
      // fixed-window SENDME flow control this client implements.
      return new V3(NtorV3.start(hop.target().ed25519Id(), hop.ntorOnionKey(), new byte[] {0}));
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

  /** ntor-v3 (HTYPE 3). */
  record V3(NtorV3.ClientState state) implements Handshake {
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
      byte[] m = r.serverMessage();
      if (m.length > 0 && (m[0] & 0xFF) != 0) {
        // We requested nothing, so the relay must not grant anything (e.g. congestion control).
        throw new TorProtocolException("relay answered ntor-v3 with unrequested extensions");
      }
      return r.keys();
    }
  }
}
