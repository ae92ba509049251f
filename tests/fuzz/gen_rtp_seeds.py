#!/usr/bin/env python3
# gen_rtp_seeds.py: writes the seed corpora of fuzz_rtp, fuzz_rtcp and fuzz_nack.
# Run from the repository root: python3 tests/fuzz/gen_rtp_seeds.py
import os
import random
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def rtp(pt=96, seq=1, ts=3000, ssrc=0x11223344, m=0, csrc=(), ext=None, payload=b"\x01\x02\x03",
        pad=0, version=2):
    b0 = version << 6 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrc)
    out = struct.pack("!BBHII", b0, m << 7 | pt, seq & 0xFFFF, ts, ssrc)
    for c in csrc:
        out += struct.pack("!I", c)
    if ext is not None:
        prof, body = ext
        out += struct.pack("!HH", prof, len(body) // 4) + body
    out += payload
    if pad:
        out += b"\x00" * (pad - 1) + bytes([pad])
    return out


def one_byte(*elems):
    body = b"".join(bytes([i << 4 | (len(d) - 1)]) + d for i, d in elems)
    return body + b"\x00" * (-len(body) % 4)


def two_byte(*elems):
    body = b"".join(bytes([i, len(d)]) + d for i, d in elems)
    return body + b"\x00" * (-len(body) % 4)


def rtcp_hdr(count, pt, body, pad=0):
    n = len(body) + pad
    assert n % 4 == 0
    b0 = 0x80 | (0x20 if pad else 0) | count
    tail = b"\x00" * (pad - 1) + bytes([pad]) if pad else b""
    return struct.pack("!BBH", b0, pt, n // 4) + body + tail


def rblock(ssrc=0xA, frac=12, lost=3, seq=0x10010, jit=40, lsr=0xB7052000, dlsr=0x54000):
    return struct.pack("!IIIIII", ssrc, frac << 24 | (lost & 0xFFFFFF), seq, jit, lsr, dlsr)


def sr(ssrc=0x11223344, blocks=()):
    body = struct.pack("!IIIIII", ssrc, 0xE8A1B2C3, 0x80000000, 123456, 500, 600000)
    return rtcp_hdr(len(blocks), 200, body + b"".join(blocks))


def rr(ssrc=0x55667788, blocks=()):
    return rtcp_hdr(len(blocks), 201, struct.pack("!I", ssrc) + b"".join(blocks))


def sdes(chunks):
    body = b""
    for ssrc, items in chunks:
        c = struct.pack("!I", ssrc) + b"".join(bytes([t, len(v)]) + v for t, v in items) + b"\x00"
        c += b"\x00" * (-len(c) % 4)
        body += c
    return rtcp_hdr(len(chunks), 202, body)


def bye(ssrcs, reason=None):
    body = b"".join(struct.pack("!I", s) for s in ssrcs)
    if reason is not None:
        r = bytes([len(reason)]) + reason
        body += r + b"\x00" * (-len(r) % 4)
    return rtcp_hdr(len(ssrcs), 203, body)


def fb(pt, fmt, snd, media, fci=b""):
    return rtcp_hdr(fmt, pt, struct.pack("!II", snd, media) + fci)


def nack(pairs):
    return fb(205, 1, 1, 0x11223344, b"".join(struct.pack("!HH", p, b) for p, b in pairs))


def fir(entries):
    return fb(206, 4, 1, 0, b"".join(struct.pack("!IB3x", s, n) for s, n in entries))


def remb(exp, mant, ssrcs):
    fci = b"REMB" + struct.pack("!B", len(ssrcs)) + struct.pack("!I", exp << 18 | mant)[1:]
    fci += b"".join(struct.pack("!I", s) for s in ssrcs)
    return fb(206, 15, 1, 0, fci)


def app():
    return rtcp_hdr(3, 204, struct.pack("!I", 9) + b"TEST" + b"\x01\x02\x03\x04")


RTP = {
    "plain": rtp(),
    "marker_h264": rtp(m=1, payload=b"\x65" + bytes(range(64))),
    "opus_20ms": rtp(pt=111, seq=65535, ts=0xFFFFFF00, payload=bytes(80)),
    "csrc2": rtp(csrc=(1, 2)),
    "csrc15": rtp(csrc=tuple(range(15))),
    "padding4": rtp(pad=4),
    "padding_all": rtp(payload=b"", pad=8),
    "ext_onebyte": rtp(ext=(0xBEDE, one_byte((1, b"\xaa"), (3, b"\x01\x02\x03"), (14, b"xy")))),
    "ext_onebyte_pad": rtp(ext=(0xBEDE, b"\x10\xaa\x00\x00\x22\x01\x02\x03")),
    "ext_onebyte_id15": rtp(ext=(0xBEDE, b"\xf0\x00\x10\xaa")),
    "ext_twobyte": rtp(ext=(0x1000, two_byte((5, b"\x12\x34"), (200, bytes(20)), (7, b"")))),
    "ext_twobyte_appbits": rtp(ext=(0x100F, two_byte((1, b"z")))),
    "ext_unknown_profile": rtp(ext=(0xABCD, b"\x01\x02\x03\x04")),
    "ext_empty": rtp(ext=(0xBEDE, b"")),
    "ext_elem_overrun": rtp(ext=(0xBEDE, b"\x1f\x00\x00\x00")),
    "ext_all": rtp(csrc=(9,), ext=(0xBEDE, one_byte((2, b"\x00\x00\x01"))), pad=3, m=1),
    "header_only": rtp(payload=b""),
    "rtx_like": rtp(pt=97, payload=b"\x12\x34" + bytes(30)),
    # malformed
    "short_11": rtp()[:11],
    "version1": rtp(version=1),
    "version0": rtp(version=0),
    "csrc_trunc": rtp(csrc=(1, 2, 3))[:20],
    "ext_trunc_word": rtp(ext=(0xBEDE, b""), payload=b"")[:14],
    "ext_len_big": bytes([0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF, 1, 2]),
    "pad_zero": bytes([0xA0]) + rtp(payload=b"\x01\x02\x00")[1:],
    "pad_too_big": bytes([0xA0]) + rtp(payload=b"\x01\x02\x30")[1:],
    "pad_no_payload": bytes([0xA0]) + rtp(payload=b"")[1:],
    "rtcp_in_rtp": sr(),
    "empty": b"",
    "one_byte": b"\x80",
}

RTCP = {
    "sr_sdes": sr(blocks=(rblock(),)) + sdes([(0x11223344, [(1, b"user@host.example")])]),
    "sr_2blocks_sdes": sr(blocks=(rblock(), rblock(ssrc=0xB, lost=-1))) +
    sdes([(0x11223344, [(1, b"c"), (2, b"Name"), (6, b"tool")])]),
    "rr_empty_sdes": rr() + sdes([(0x55667788, [(1, b"{3f2504e0-4f89}")])]),
    "rr_sdes_2chunks": rr(blocks=(rblock(),)) + sdes([(1, [(2, b"n"), (1, b"ab")]), (2, [])]),
    "rr_31blocks": rr(blocks=tuple(rblock(ssrc=i) for i in range(31))),
    "sr_bye": sr() + sdes([(0x11223344, [(1, b"x")])]) + bye([0x11223344], b"shutdown"),
    "bye_multi": rr() + bye([1, 2, 3]),
    "bye_noreason": bye([7]),
    "bye_empty_reason": bye([7], b""),
    "nack": rr() + nack([(100, 0x8011)]),
    "nack_wrap": rr() + nack([(65535, 0x0001), (20, 0xFFFF)]),
    "nack_unsorted": nack([(500, 0), (400, 3), (500, 1)]),
    "pli": rr() + fb(206, 1, 1, 0x11223344),
    "fir": rr() + fir([(0x11223344, 3)]),
    "fir_2": fir([(5, 3), (6, 4)]),
    "remb": rr() + remb(3, 187500, [0x11223344, 0x99]),
    "remb_hugeexp": remb(63, 0x3FFFF, [1]),
    "afb_other": fb(206, 15, 1, 0, b"ABCD\x00\x00\x00\x00"),
    "app_xr_tmmbr_sli": rr() + app() + rtcp_hdr(0, 207, struct.pack("!I", 1)) +
    fb(205, 3, 1, 2, bytes(8)) + fb(206, 2, 1, 2, bytes(4)),
    "sr_ext_after_blocks": rtcp_hdr(1, 200, sr(blocks=(rblock(),))[4:] + bytes(8)),
    "padded_last": rr() + rtcp_hdr(1, 203, struct.pack("!I", 9), pad=4),
    # captured from GStreamer 1.22 rtpbin (sender SR+SDES, receiver RR+SDES)
    "gst_sr_sdes": bytes.fromhex("80c80006b1915d31eeb6cbce526f826e56861df2000000110000440081ca000cb1915d31011c757365723138363533373137383640686f73742d626138336464613406094753747265616d6572000000"),
    "gst_rr_sdes": bytes.fromhex("81c90007e1f547d7b1915d3100ffffff0000653f0000001ecbce526f0004def881ca000ce1f547d7011c757365723136343938343631363040686f73742d653363616431393306094753747265616d6572000000"),
    # malformed
    "trunc_header": rr()[:3],
    "trunc_body": (sr(blocks=(rblock(),)) + sdes([(1, [(1, b"abc")])]))[:-3],
    "len_too_big": bytes([0x80, 201, 0, 9]) + bytes(8),
    "bad_version_2nd": rr() + bytes([0x40, 202, 0, 1, 0, 0, 0, 1]),
    "rc_overclaim": bytes([0x82]) + rr(blocks=(rblock(),))[1:],
    "pad_not_last": rtcp_hdr(0, 201, struct.pack("!I", 1), pad=4) + rr(),
    "pad_zero": bytes([0xA0, 201, 0, 1, 0, 0, 0, 0]),
    "pad_too_big": bytes([0xA0, 201, 0, 1, 0, 0, 0, 9]),
    "sdes_item_overrun": bytes([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 200, 0x61, 0]),
    "sdes_no_end": bytes([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 2, 0x61, 0x62]),
    "sdes_sc_overclaim": bytes([0x83]) + sdes([(1, [(1, b"a")])])[1:],
    "bye_reason_overrun": bytes([0x81, 203, 0, 2, 0, 0, 0, 1, 9, 0x61, 0x62, 0x63]),
    "bye_sc_overclaim": bytes([0x85, 203, 0, 1, 0, 0, 0, 1]),
    "nack_no_fci": fb(205, 1, 1, 2),
    "pli_short": bytes([0x81, 206, 0, 1, 0, 0, 0, 1]),
    "fir_half": fb(206, 4, 1, 0, struct.pack("!I", 5)),
    "remb_ssrc_overrun": fb(206, 15, 1, 0, b"REMB\x05\x00\x00\x01" + bytes(4)),
    "zero_len_words": bytes([0x80, 201, 0, 0]) + bytes([0x80, 201, 0, 0]),
    "rtp_not_rtcp": rtp(),
}


def rec(op, seq, dt):
    """one fuzz_nack record: op (low 2 bits: packet, rtx, poll, history), seq, dt ms"""
    return struct.pack("!BHB", op, seq & 0xFFFF, dt)


random.seed(7)
NACK = {
    "inorder": b"".join(rec(0, s, 1) for s in range(100, 140)),
    "gaps_polls": b"".join(rec(0, s, 1) + (rec(2 | 32 << 2 & 0xFC, 0, 6) if s % 5 == 0 else b"")
                           for s in range(0, 60) if s % 7),
    "wrap_rtx": b"".join(rec(0, s, 1) for s in range(65530, 65545) if s % 3) + rec(2 | 64, 0, 10) +
    b"".join(rec(1, s, 1) for s in range(65530, 65545) if not s % 3) + rec(2, 0, 50),
    "big_jump": rec(0, 1, 1) + rec(0, 2, 1) + rec(0, 5000, 1) + rec(2 | 40, 0, 200) +
    rec(0, 40000, 1) + rec(0, 30000, 1) + rec(0, 30001, 1),
    "full_list": rec(0, 0, 0) + rec(0, 60, 1) + rec(0, 120, 1) + rec(2 | 124, 0, 10) * 6,
    "history": b"".join(rec(3 | (s % 16) << 2, s, s % 9) for s in range(200)),
    "giveup": rec(0, 10, 0) + rec(0, 12, 0) + b"".join(rec(2 | 8, 0, 25) for _ in range(8)),
    "random": bytes(random.getrandbits(8) for _ in range(400)),
}


def write(name, seeds):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)


write("fuzz_rtp", RTP)
write("fuzz_rtcp", RTCP)
write("fuzz_nack", NACK)
print("fuzz_rtp: %d, fuzz_rtcp: %d, fuzz_nack: %d seeds" % (len(RTP), len(RTCP), len(NACK)))
