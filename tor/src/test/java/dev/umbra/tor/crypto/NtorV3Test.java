package dev.umbra.tor.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.tor.cell.TorProtocolException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

class NtorV3Test {
  private static final HexFormat HEX = HexFormat.of();
  // The ntor-v3 test vector of proposal 332 / tor-spec (also in C tor's and Arti's test suites).
  private static final byte[] B_SK =
      HEX.parseHex("4051daa5921cfa2a1c27b08451324919538e79e788a81b38cbed097a5dff454a");
  private static final byte[] ID =
      HEX.parseHex("9fad2af287ef942632833d21f946c6260c33fae6172b60006e86e4a6911753a2");
  private static final byte[] X =
      HEX.parseHex("b825a3719147bcbe5fb1d0b0fcb9c09e51948048e2e3283d2ab7b45b5ef38b49");
  private static final byte[] Y =
      HEX.parseHex("4865a5b7689dafd978f529291c7171bc159be076b92186405d13220b80e2a053");
  private static final byte[] CLIENT_MSG = HEX.parseHex("68656c6c6f20776f726c64");
  private static final byte[] VERIFICATION = HEX.parseHex("78797a7a79");
  private static final byte[] SERVER_MSG = HEX.parseHex("486f6c61204d756e646f");
  private static final String CLIENT_HS =
      "9fad2af287ef942632833d21f946c6260c33fae6172b60006e86e4a6911753a2f8307a2bc1870b00b828bb74dbb8fd88e632a6375ab3bcd1ae706aaa8b6cdd1d252fe9ae91264c91d4ecb8501f79d0387e34ad8ca0f7c995184f7d11d5da4f463bebd9151fd3b47c180abc9e044d53565f04d82bbb3bebed3d06cea65db8be9c72b68cd461942088502f67";
  private static final String SERVER_HS =
      "4bf4814326fdab45ad5184f5518bd7fae25dc59374062698201a50a22954246d2fc5f8773ca824542bc6cf6f57c7c29bbf4e5476461ab130c5b18ab0a91276651202c3e1e87c0d32054c";
  private static final String KEYS =
      "9c19b631fd94ed86a817e01f6c80b0743a43f5faebd39cfaa8b00fa8bcc65c3bfeaa403d91acbd68a821bf6ee8504602b094a254392a07737d5662768c7a9fb1b2814bb34780eaee6e867c773e28c212ead563e98a1cd5d5b4576f5ee61c59bde025ff2851bb19b721421694f263818e3531e43a9e4e3e2c661e2ad547d8984caa28ebecd3e4525452299be26b9185a20a90ce1eac20a91f2832d731b54502b09749b5a2a2949292f8cfcbeffb790c7790ed935a9d251e7e336148ea83b063a5618fcff674a44581585fd22077ca0e52c59a24347a38d1a1ceebddbf238541f226b8f88d0fb9c07a1bcd2ea764bbbb5dacdaf5312a14c0b9e4f06309b0333b4a";

  private static byte[] bPub() {
    byte[] b = new byte[32];
    X25519.scalarMultBase(B_SK, 0, b, 0);
    return b;
  }

  @Test
  void specTestVector() throws TorProtocolException {
    NtorV3.ClientState st = NtorV3.start(ID, bPub(), CLIENT_MSG, VERIFICATION, X);
    assertThat(HEX.formatHex(st.onionskin())).isEqualTo(CLIENT_HS);
    assertThat(NtorV3.clientMessage(ID, B_SK, st.onionskin(), VERIFICATION)).isEqualTo(CLIENT_MSG);
    byte[] server = NtorV3.serverReply(ID, B_SK, Y, st.onionskin(), VERIFICATION, SERVER_MSG, 256);
    int replyLen = SERVER_HS.length() / 2;
    assertThat(HEX.formatHex(server, 0, replyLen)).isEqualTo(SERVER_HS);
    assertThat(HEX.formatHex(server, replyLen, server.length)).isEqualTo(KEYS);
    NtorV3.Result r = NtorV3.finish(st, HEX.parseHex(SERVER_HS), 256);
    assertThat(r.serverMessage()).isEqualTo(SERVER_MSG);
    assertThat(HEX.formatHex(r.keys())).isEqualTo(KEYS);
  }

  @Test
  void tamperingIsDetectedOnBothSides() {
    NtorV3.ClientState st = NtorV3.start(ID, bPub(), CLIENT_MSG, VERIFICATION, X);
    byte[] skin = st.onionskin();
    skin[100] ^= 1;
    assertThatThrownBy(() -> NtorV3.serverReply(ID, B_SK, Y, skin, VERIFICATION, SERVER_MSG, 72))
        .hasMessageContaining("MAC");
    for (int i = 0; i < HEX.parseHex(SERVER_HS).length; i += 9) {
      byte[] bad = HEX.parseHex(SERVER_HS);
      bad[i] ^= 4;
      assertThatThrownBy(() -> NtorV3.finish(st, bad, 72)).isInstanceOf(TorProtocolException.class);
    }
    assertThatThrownBy(() -> NtorV3.finish(st, new byte[63], 72))
        .isInstanceOf(TorProtocolException.class);
  }

  @Test
  void circuitHandshakeWithEmptyExtensions() throws TorProtocolException {
    NtorV3.ClientState st = NtorV3.start(ID, bPub(), new byte[] {0});
    byte[] y = new byte[32];
    new java.security.SecureRandom().nextBytes(y);
    byte[] server =
        NtorV3.serverReply(
            ID, B_SK, y, st.onionskin(), NtorV3.CIRCUIT_VERIFICATION, new byte[] {0}, 72);
    NtorV3.Result r = NtorV3.finish(st, Arrays.copyOf(server, 65), 72);
    assertThat(r.serverMessage()).containsExactly(0);
    assertThat(r.keys()).isEqualTo(Arrays.copyOfRange(server, 65, 137));
  }
}
