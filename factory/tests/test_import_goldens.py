"""The committed goldens of the import and input work are what their scripts write, and the
numpy model of TFLite's requantization behaves as TFLite's reference code does on known values.
(The goldens against TFLite itself: factory/make_tflite_golden.py; the C side: ctest.)"""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from factory import input_reference as ir
from factory import make_input_golden
from factory import tflite_int8_reference as tr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")


class InputGoldenTest(unittest.TestCase):
    def test_regenerates_the_committed_bytes(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "g.bin")
            sys_argv = sys.argv
            sys.argv = ["make_input_golden", "--out", out]
            try:
                make_input_golden.main()
            finally:
                sys.argv = sys_argv
            with open(out, "rb") as a, open(os.path.join(DATA, "input-golden.bin"), "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_identity_and_crop(self):
        # same size: the resize is the identity (gray of RGB888 = the BT.601 integer luma)
        px = np.arange(4 * 6 * 3, dtype=np.uint8).tobytes()
        out = ir.resize(px, ir.RGB888, 6, 4, 18, 4, 6, ir.ORDER_RGB)
        np.testing.assert_array_equal(out.reshape(-1), np.frombuffer(px, np.uint8))
        self.assertEqual(ir.crop(320, 240, 96, 96), (40, 0, 240, 240))
        self.assertEqual(ir.crop(240, 320, 96, 128), (0, 70, 240, 180))


class TfliteReferenceTest(unittest.TestCase):
    def test_quantize_multiplier(self):
        self.assertEqual(tr.quantize_multiplier(0.5), (1 << 30, 0))
        self.assertEqual(tr.quantize_multiplier(1.0), (1 << 30, 1))
        self.assertEqual(tr.quantize_multiplier(0.0), (0, 0))
        self.assertEqual(tr.quantize_multiplier(2.0 ** -40), (0, 0))   # too small: zero
        m, s = tr.quantize_multiplier(1.0 / 9)
        self.assertEqual((m, s), (1908874354, -3))

    def test_two_roundings(self):
        # 4/9: reference (double rounding) rounds 0.444 up via 0.5; ruy's single rounding not
        m, s = tr.quantize_multiplier(1.0 / 9)
        self.assertEqual(int(tr.multiply_by_quantized_multiplier(4, m, s, "double")), 1)
        self.assertEqual(int(tr.multiply_by_quantized_multiplier(4, m, s, "single")), 0)
        # both against their definitions in Python integers, on random values
        rng = np.random.default_rng(3)
        for _ in range(2000):
            x = int(rng.integers(-(1 << 20), 1 << 20))
            m = int(rng.integers(1 << 30, 1 << 31))
            s = int(rng.integers(-20, 3))
            p = (x << max(s, 0)) * m
            hi = p + ((1 << 30) if p >= 0 else 1 - (1 << 30))
            hi = abs(hi) // (1 << 31) * (1 if hi >= 0 else -1)           # truncating division
            r = max(-s, 0)
            q, rem = hi >> r, hi & ((1 << r) - 1)
            want = q + (rem > ((1 << r) - 1) // 2 + (hi < 0))           # half away from zero
            self.assertEqual(int(tr.multiply_by_quantized_multiplier(x, m, s, "double")), want)
            self.assertEqual(int(tr.multiply_by_quantized_multiplier(x, m, s, "single")),
                             (x * m + (1 << (30 - s))) >> (31 - s))

    def test_activation_range(self):
        self.assertEqual(tr.activation_range("RELU6", 6.0 / 255, -128), (-128, 127))
        self.assertEqual(tr.activation_range("RELU", 0.1, 5), (5, 127))
        self.assertEqual(tr.activation_range("RELU_N1_TO_1", 0.01, 0), (-100, 100))


class ArithModelsTest(unittest.TestCase):
    def test_committed_models_are_the_scripts(self):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, os.path.join(ROOT, "tests", "make_tflite_models.py"), tmp],
                           check=True, capture_output=True)
            for name in ("arith_a", "arith_b", "arith_mean"):
                with open(os.path.join(tmp, name + ".tflite"), "rb") as a, \
                        open(os.path.join(DATA, "tflite", name + ".tflite"), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)


if __name__ == "__main__":
    unittest.main()
