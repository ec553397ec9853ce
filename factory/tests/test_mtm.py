"""The .mtm writer and reader against docs/model-format.md: layout, checksums, validation.
Run from the repo root: /usr/bin/python3 -m unittest discover -s factory/tests -t ."""
import os
import struct
import unittest
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
from factory import make_test_model
from factory import mtm
from factory import netspec

DATA = os.path.join(HERE, "..", "..", "tests", "data")
SEED = 1234  # make_test_model's default


def _fix_checksums(buf):
    """Recomputes fingerprint and CRC so a deliberate edit reaches the later checks."""
    buf = bytearray(buf)
    buf[16:24] = struct.pack("<Q", mtm.fnv1a64(buf[128:]))
    buf[12:16] = struct.pack("<I", zlib.crc32(bytes(buf[16:])) & 0xFFFFFFFF)
    return bytes(buf)


class MtmTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model, cls.buf, _ = make_test_model.build_mtm(SEED)

    def test_fnv1a64_known_vectors(self):
        # published FNV-1a 64 test vectors
        self.assertEqual(mtm.fnv1a64(b""), 0xcbf29ce484222325)
        self.assertEqual(mtm.fnv1a64(b"a"), 0xaf63dc4c8601ec8c)
        self.assertEqual(mtm.fnv1a64(b"foobar"), 0x85944171f73967e8)

    def test_layout_offsets_match_the_doc(self):
        b, m = self.buf, self.model
        self.assertEqual(b[0:4], b"MTM1")
        self.assertEqual(struct.unpack_from("<HH", b, 4), (1, 0))
        self.assertEqual(struct.unpack_from("<I", b, 8)[0], len(b))
        self.assertEqual(struct.unpack_from("<I", b, 24)[0], 128)
        nt, no = struct.unpack_from("<HH", b, 28)
        self.assertEqual((nt, no), (len(m.tensors), len(m.ops)))
        t_off, o_off, d_off, d_bytes = struct.unpack_from("<IIII", b, 32)
        self.assertEqual(t_off, 128)
        self.assertEqual(o_off, 128 + 16 * nt)
        self.assertEqual(d_off, o_off + 64 * no)
        self.assertEqual(d_off % 4, 0)
        self.assertEqual(d_off + d_bytes, len(b))
        self.assertEqual(struct.unpack_from("<HHHH", b, 48),
                         (m.input_tensor, m.part_feature_tensor, m.full_feature_tensor, m.split_op))
        self.assertEqual(b[56], mtm.ORDER_RGB)
        self.assertEqual(b[88:88 + len(m.name)].decode(), m.name)
        self.assertEqual(b[120:128], b"\0" * 8)
        # tensor 1 record: h, w, c at 0, 2, 4; scale at 8; zp at 12
        t = m.tensors[1]
        h, w, c, flags, s, zp = struct.unpack_from("<HHHHfi", b, 128 + 16)
        self.assertEqual((h, w, c, flags, zp), (t.h, t.w, t.c, 0, t.zero_point))
        self.assertEqual(s, np.float32(t.scale))
        # op 0: type, kernel, in/out at 12/16, offsets at 20.., weights in [Cout][KH][KW][Cin]
        op = m.ops[0]
        rec = b[o_off:o_off + 64]
        self.assertEqual(rec[0], mtm.CONV2D)
        self.assertEqual(tuple(rec[1:9]), (3, 3, 2, 2, 1, 1, 1, 1))
        self.assertEqual(struct.unpack_from("<HHH", rec, 12), (0, 0xFFFF, 1))
        w_off = struct.unpack_from("<I", rec, 20)[0]
        cout, cin = m.tensors[1].c, m.tensors[0].c
        got = np.frombuffer(b, np.int8, cout * 9 * cin, w_off).reshape(cout, 3, 3, cin)
        np.testing.assert_array_equal(got, op.weights.reshape(cout, 3, 3, cin))
        # the input LUT sits at input_lut_offset, C x 256
        lut_off = struct.unpack_from("<I", b, 84)[0]
        np.testing.assert_array_equal(np.frombuffer(b, np.int8, 3 * 256, lut_off).reshape(3, 256),
                                      m.input_lut)

    def test_checksums(self):
        b = self.buf
        self.assertEqual(struct.unpack_from("<I", b, 12)[0], zlib.crc32(b[16:]) & 0xFFFFFFFF)
        self.assertEqual(struct.unpack_from("<Q", b, 16)[0], mtm.fnv1a64(b[128:]))

    def test_round_trip(self):
        r = mtm.read(self.buf)
        m = self.model
        for f in ("name", "input_tensor", "part_feature_tensor", "full_feature_tensor",
                  "split_op", "channel_order", "fingerprint", "crc32", "file_bytes"):
            self.assertEqual(getattr(r, f), getattr(m, f), f)
        np.testing.assert_allclose(r.mean, m.mean, rtol=1e-7)
        np.testing.assert_allclose(r.std, m.std, rtol=1e-7)
        np.testing.assert_array_equal(r.input_lut, m.input_lut)
        self.assertEqual(len(r.tensors), len(m.tensors))
        for a, b in zip(r.tensors, m.tensors):
            self.assertEqual((a.h, a.w, a.c, a.zero_point), (b.h, b.w, b.c, b.zero_point))
            self.assertEqual(a.scale, float(np.float32(b.scale)))
        self.assertEqual(len(r.ops), len(m.ops))
        for a, b in zip(r.ops, m.ops):
            for f in ("type", "input0", "input1", "output", "kh", "kw", "stride_h", "stride_w",
                      "pad_top", "pad_left", "pad_bottom", "pad_right", "act_min", "act_max",
                      "weights_offset", "bias_offset", "requant_offset", "wscale_offset"):
                self.assertEqual(getattr(a, f), getattr(b, f), f)
            self.assertEqual(list(a.params), [int(p) for p in b.params])
            for f in ("weights", "bias", "mult", "shift", "wscale"):
                x, y = getattr(a, f), getattr(b, f)
                if y is None:
                    self.assertIsNone(x)
                else:
                    np.testing.assert_array_equal(x, np.asarray(y).reshape(-1))
        # writing what was read gives the same bytes
        self.assertEqual(mtm.write(r), self.buf)

    def test_same_seed_same_bytes_and_checked_in_file_is_current(self):
        _, again, _ = make_test_model.build_mtm(SEED)
        self.assertEqual(again, self.buf)
        _, other, _ = make_test_model.build_mtm(SEED + 1)
        self.assertNotEqual(other, self.buf)
        with open(os.path.join(DATA, "test-model.mtm"), "rb") as f:
            shipped = f.read()
        self.assertEqual(shipped, self.buf,
                         "tests/data/test-model.mtm is stale: run factory/make_test_model.py")
        self.assertLess(len(shipped), 100 * 1024)

    def test_op_macs_match_netspec(self):
        spec = make_test_model.SPEC
        conv = sum(mtm.op_macs(op, self.model.tensors) for op in self.model.ops
                   if op.type in (mtm.CONV2D, mtm.DEPTHWISE_CONV2D))
        self.assertEqual(conv, netspec.macs(spec)["full"])
        part = sum(mtm.op_macs(op, self.model.tensors) for op in self.model.ops[:self.model.split_op]
                   if op.type in (mtm.CONV2D, mtm.DEPTHWISE_CONV2D))
        self.assertEqual(part, netspec.macs(spec)["part"])

    def test_stage_structure(self):
        m = self.model
        pool = m.ops[m.split_op - 1]
        self.assertEqual(pool.type, mtm.GLOBAL_AVG_POOL)
        self.assertEqual(pool.output, m.part_feature_tensor)
        # the first resumed op reads the tensor that fed the part pool
        self.assertEqual(m.ops[m.split_op].input0, pool.input0)
        self.assertEqual(m.ops[-1].type, mtm.GLOBAL_AVG_POOL)
        self.assertEqual(m.ops[-1].output, m.full_feature_tensor)
        self.assertTrue(any(op.type == mtm.ADD for op in m.ops[:m.split_op]))
        self.assertTrue(any(op.type == mtm.ADD for op in m.ops[m.split_op:]))
        self.assertEqual({op.kh for op in m.ops if op.type == mtm.DEPTHWISE_CONV2D}, {3, 5, 7})

    # --- the reader refuses what mt_model_open refuses, with the same code -----------------

    def _code(self, buf):
        with self.assertRaises(mtm.MtmError) as cm:
            mtm.read(buf)
        return cm.exception.code

    def test_corruptions_are_named(self):
        b = self.buf
        self.assertEqual(self._code(b"XTM1" + b[4:]), "MT_E_MODEL_MAGIC")
        self.assertEqual(self._code(b[:4] + struct.pack("<H", 2) + b[6:]), "MT_E_MODEL_VERSION")
        self.assertEqual(self._code(b[:-1]), "MT_E_MODEL_TRUNCATED")
        flipped = bytearray(b)
        flipped[len(b) // 2] ^= 0x01
        self.assertEqual(self._code(bytes(flipped)), "MT_E_MODEL_CRC")
        bad_fp = bytearray(b)
        bad_fp[16] ^= 1
        bad_fp[12:16] = struct.pack("<I", zlib.crc32(bytes(bad_fp[16:])) & 0xFFFFFFFF)
        self.assertEqual(self._code(bytes(bad_fp)), "MT_E_MODEL_FINGERPRINT")

        def edited(off, fmt, value):
            e = bytearray(b)
            struct.pack_into(fmt, e, off, value)
            return _fix_checksums(e)

        self.assertEqual(self._code(edited(32, "<I", 132)), "MT_E_MODEL_LAYOUT")
        o_off = 128 + 16 * len(self.model.tensors)
        self.assertEqual(self._code(edited(o_off, "<B", 9)), "MT_E_MODEL_OP")
        self.assertEqual(self._code(edited(o_off + 16, "<H", 0)), "MT_E_MODEL_GRAPH")
        self.assertEqual(self._code(edited(54, "<H", 0)), "MT_E_MODEL_GRAPH")
        self.assertEqual(self._code(edited(o_off + 3, "<B", 1)), "MT_E_MODEL_SHAPE")  # stride
        self.assertEqual(self._code(edited(o_off + 20, "<I", len(b))), "MT_E_MODEL_RANGE")
        self.assertEqual(self._code(edited(128 + 16 + 8, "<f", 0.0)), "MT_E_MODEL_QUANT")
        rq_off = self.model.ops[0].requant_offset
        self.assertEqual(self._code(edited(rq_off, "<i", 12345)), "MT_E_MODEL_QUANT")
        self.assertEqual(self._code(edited(56, "<B", mtm.ORDER_GRAY)), "MT_E_MODEL_INPUT")
        self.assertEqual(self._code(edited(72, "<f", 0.0)), "MT_E_MODEL_INPUT")
        # and an untouched copy with recomputed checksums still reads
        mtm.read(_fix_checksums(b))


if __name__ == "__main__":
    unittest.main()
