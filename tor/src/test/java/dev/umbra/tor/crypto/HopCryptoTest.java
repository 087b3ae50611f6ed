package dev.umbra.tor.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.tor.cell.RelayCell;
import dev.umbra.tor.cell.TorProtocolException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * tor1 relay crypto against an independent model of the relay's side written straight from the spec
 * with JDK primitives (AES-128-CTR zero IV, running SHA-1 seeded with Df/Db).
 */
class HopCryptoTest {
  /** The relay's view of one hop. */
  static final class RelaySide {
    final Cipher fwd;
    final Cipher back;
    final MessageDigest df;
    final MessageDigest db;

    RelaySide(byte[] keys) throws Exception {
      df = MessageDigest.getInstance("SHA-1");
      df.update(keys, 0, 20);
      db = MessageDigest.getInstance("SHA-1");
      db.update(keys, 20, 20);
      fwd = Cipher.getInstance("AES/CTR/NoPadding");
      fwd.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(keys, 40, 16, "AES"),
          new IvParameterSpec(new byte[16]));
      back = Cipher.getInstance("AES/CTR/NoPadding");
      back.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(keys, 56, 16, "AES"),
          new IvParameterSpec(new byte[16]));
    }

    byte[] receive(byte[] cell) throws Exception {
      byte[] p = fwd.update(cell);
      byte[] zeroed = p.clone();
      Arrays.fill(zeroed, 5, 9, (byte) 0);
      df.update(zeroed);
      byte[] d = ((MessageDigest) df.clone()).digest();
      assertThat(Arrays.copyOfRange(p, 5, 9)).isEqualTo(Arrays.copyOf(d, 4));
      return p;
    }

    byte[] send(byte[] payload) throws Exception {
      byte[] p = payload.clone();
      db.update(p);
      byte[] d = ((MessageDigest) db.clone()).digest();
      System.arraycopy(d, 0, p, 5, 4);
      return back.update(p);
    }
  }

  private static byte[] keys(int seed) {
    byte[] k = new byte[72];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i);
    }
    return k;
  }

  @Test
  void threeHopOnionRoundTrip() throws Exception {
    HopCrypto[] client = {new HopCrypto(keys(1)), new HopCrypto(keys(2)), new HopCrypto(keys(3))};
    RelaySide[] relays = {new RelaySide(keys(1)), new RelaySide(keys(2)), new RelaySide(keys(3))};
    for (int n = 0; n < 20; n++) {
      byte[] msg = ("hello " + n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      // forward: seal for the exit, encrypt with every layer, each relay peels one
      byte[] p = new RelayCell(RelayCell.DATA, 7, msg).encode();
      client[2].seal(p);
      for (int i = 2; i >= 0; i--) {
        client[i].encryptForward(p);
      }
      byte[] atExit = relays[2].receive(relays[1].fwd.update(relays[0].fwd.update(p)));
      assertThat(RelayCell.decode(atExit).data()).isEqualTo(msg);
      // backward: the exit answers, middle and guard add their layers
      byte[] answer = new RelayCell(RelayCell.DATA, 7, msg).encode();
      answer[5] = answer[6] = answer[7] = answer[8] = 0;
      byte[] back = relays[0].back.update(relays[1].back.update(relays[2].send(answer)));
      byte[] recognized = null;
      int hop = -1;
      for (int i = 0; i < 3 && recognized == null; i++) {
        client[i].decryptBackward(back);
        recognized = client[i].recognize(back);
        hop = i;
      }
      assertThat(hop).isEqualTo(2);
      assertThat(recognized).hasSize(20);
      assertThat(RelayCell.decode(back).data()).isEqualTo(msg);
    }
  }

  @Property(tries = 50)
  void garbageIsNotRecognized(@ForAll @Size(value = 509) byte[] junk) throws TorProtocolException {
    HopCrypto h = new HopCrypto(keys(9));
    byte[] p = junk.clone();
    h.decryptBackward(p);
    // a random cell passes the 2-byte + 4-byte check with probability 2^-48
    assertThat(h.recognize(p)).isNull();
  }
}
