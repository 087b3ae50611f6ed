package dev.umbra.dns.message;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Small helpers to build and inspect messages. */
public final class Messages {
  private Messages() {}

  /** A response skeleton for {@code query}: same ID, question and RD, QR and RA set. */
  public static Message reply(Message query, int rcode) {
    Message r = new Message(query.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      r.getHeader().setFlag(Flags.RD);
    }
    r.getHeader().setOpcode(query.getHeader().getOpcode());
    r.getHeader().setRcode(rcode);
    if (query.getQuestion() != null) {
      r.addRecord(query.getQuestion(), Section.QUESTION);
    }
    return r;
  }

  /** An answer with these addresses (those of the asked family) for an A or AAAA query. */
  public static Message addresses(Message query, List<InetAddress> addresses, long ttl) {
    Message r = reply(query, Rcode.NOERROR);
    Record q = query.getQuestion();
    for (InetAddress a : addresses) {
      if (q.getType() == Type.A && a.getAddress().length == 4) {
        r.addRecord(new ARecord(q.getName(), DClass.IN, ttl, a), Section.ANSWER);
      } else if (q.getType() == Type.AAAA && a.getAddress().length == 16) {
        r.addRecord(new AAAARecord(q.getName(), DClass.IN, ttl, a), Section.ANSWER);
      }
    }
    return r;
  }

  /** The A and AAAA addresses in the answer section. */
  public static List<InetAddress> answerAddresses(Message response) {
    List<InetAddress> out = new ArrayList<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof ARecord a) {
        out.add(a.getAddress());
      } else if (r instanceof AAAARecord a) {
        out.add(a.getAddress());
      }
    }
    return out;
  }

  /**
   * The addresses a response hands out, as sing-box's address rules see them: A and AAAA answers
   * and the ipv4hint/ipv6hint of HTTPS answers.
   */
  public static List<InetAddress> responseAddresses(Message response) {
    List<InetAddress> out = new ArrayList<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      switch (r) {
        case ARecord a -> out.add(a.getAddress());
        case AAAARecord a -> out.add(a.getAddress());
        case org.xbill.DNS.HTTPSRecord h -> {
          try {
            if (h.getSvcParamValue(org.xbill.DNS.SVCBBase.IPV4HINT)
                instanceof org.xbill.DNS.SVCBBase.ParameterIpv4Hint v4) {
              out.addAll(v4.getAddresses());
            }
            if (h.getSvcParamValue(org.xbill.DNS.SVCBBase.IPV6HINT)
                instanceof org.xbill.DNS.SVCBBase.ParameterIpv6Hint v6) {
              out.addAll(v6.getAddresses());
            }
          } catch (java.net.UnknownHostException e) {
            // a malformed hint hands out nothing
          }
        }
        default -> {}
      }
    }
    return out;
  }

  /** The same record with another TTL (dnsjava keeps TTL setters package-private). */
  public static Record withTtl(Record r, long ttl) {
    if (r instanceof OPTRecord || r.getTTL() == ttl) {
      return r;
    }
    return Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, r.rdataToWireCanonical());
  }

  /** A copy of {@code m} with every TTL (answer, authority, additional) changed by {@code f}. */
  public static Message mapTtl(Message m, java.util.function.LongUnaryOperator f) {
    Message out = new Message(m.getHeader().getID());
    out.setHeader(m.getHeader().clone());
    for (int s = 0; s < 4; s++) {
      out.removeAllRecords(s);
    }
    for (Record q : m.getSection(Section.QUESTION)) {
      out.addRecord(q, Section.QUESTION);
    }
    for (int s : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      for (Record r : m.getSection(s)) {
        out.addRecord(r instanceof OPTRecord ? r : withTtl(r, f.applyAsLong(r.getTTL())), s);
      }
    }
    return out;
  }

  /** Whether a response answers this question (name, type and class, name case-insensitive). */
  public static boolean sameQuestion(Message query, Message response) {
    Record q = query.getQuestion();
    Record r = response.getQuestion();
    if (q == null || r == null) {
      return q == r;
    }
    return q.getName().equals(r.getName())
        && q.getType() == r.getType()
        && q.getDClass() == r.getDClass();
  }
}
