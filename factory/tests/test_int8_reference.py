"""The numpy integer reference and the quantizer: hand-computed cases that pin every rounding
rule of docs/quantization.md, a scalar re-derivation of mt_requant, and agreement with the
float PyTorch model (BN folded) per op and end to end.
Run from the repo root: /usr/bin/python3 -m unittest discover -s factory/tests -t ."""
import math
import os
import unittest

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
from factory import int8_reference as ir
from factory import make_golden
from factory import make_test_model
from factory import mtm
from factory import netspec
from factory import quantize

DATA = os.path.join(HERE, "..", "..", "tests", "data")


def requant_scalar(x, mult, shift):
    """mt_requant written out once more with Python integers, step by step from the doc."""
    left, right = max(shift, 0), max(-shift, 0)
    x = ((x << left) + 2**31) % 2**32 - 2**31           # wrap in int32
    if x == mult == -2**31:
        hi = 2**31 - 1
    else:
        p = x * mult
        n = p + (2**30 if p >= 0 else 1 - 2**30)
        hi = abs(n) // 2**31 * (1 if n >= 0 else -1)     # C's truncating division
    mask = (1 << right) - 1
    rem = hi & mask
    threshold = (mask >> 1) + (1 if hi < 0 else 0)
    return (hi >> right) + (1 if rem > threshold else 0)


class RequantTest(unittest.TestCase):
    def test_hand_values(self):
        # M = 1/8 (mult 2^30, shift -2): 2.25 -> 2, 4.5 -> 5 (half away), -4.5 -> -5
        self.assertEqual(ir.requant(18, 1 << 30, -2), 2)
        self.assertEqual(ir.requant(36, 1 << 30, -2), 5)
        self.assertEqual(ir.requant(-36, 1 << 30, -2), -5)
        # M = 3/4 (mult 0.75*2^31, shift 0): the high multiply alone rounds ties upward,
        # so -1.5 -> -1 while 1.5 -> 2 (gemmlowp's SaturatingRoundingDoublingHighMul)
        self.assertEqual(ir.requant(-2, 1610612736, 0), -1)
        self.assertEqual(ir.requant(2, 1610612736, 0), 2)
        self.assertEqual(ir.requant(-5, 1610612736, 0), -4)   # -3.75
        # the double rounding of TFLite's scheme: 183 * 0.3299 = 60.38, high multiply gives
        # 121 (of 120.75), the rounding halving gives 60.5 -> 61
        self.assertEqual(ir.requant(183, 1417018397, -1), 61)
        # a left shift: M = 4 (mult 2^30, shift 3)
        self.assertEqual(ir.requant(-7, 1 << 30, 3), -28)
        # multiplier 0 gives 0; INT32_MIN * INT32_MIN saturates
        self.assertEqual(ir.requant(12345, 0, 0), 0)
        self.assertEqual(ir.requant(-2**31, -2**31, 0), 2**31 - 1)

    def test_matches_scalar_derivation(self):
        rng = np.random.default_rng(7)
        xs = np.concatenate([rng.integers(-2**31, 2**31, 3000), rng.integers(-300, 300, 3000),
                             [-2**31, 2**31 - 1, 0, 1, -1]])
        for x in xs:
            mult = int(rng.integers(2**30, 2**31))
            shift = int(rng.integers(-31, 31))
            if shift > 0 and abs(int(x)) >= 2**(31 - shift):
                x = int(x) >> (shift + 1)  # keep the documented (non-wrapping) use
            self.assertEqual(int(ir.requant(int(x), mult, shift)), requant_scalar(int(x), mult, shift),
                             (int(x), mult, shift))
        # vectorised with per-channel broadcasting gives the same as element by element
        acc = rng.integers(-10**6, 10**6, (5, 4, 3))
        mult = rng.integers(2**30, 2**31, 3)
        shift = rng.integers(-20, 2, 3)
        got = ir.requant(acc, mult, shift)
        for idx in np.ndindex(acc.shape):
            self.assertEqual(got[idx], requant_scalar(int(acc[idx]), int(mult[idx[2]]), int(shift[idx[2]])))

    def test_requant_close_to_exact_product(self):
        rng = np.random.default_rng(3)
        for _ in range(2000):
            m = math.exp(rng.uniform(math.log(1e-6), math.log(8.0)))
            mult, shift = quantize.quantize_multiplier(m)
            x = int(rng.integers(-2**20, 2**20))
            # two roundings: at most one unit off the exact rounded value
            self.assertLessEqual(abs(int(ir.requant(x, mult, shift)) - x * m), 1.0 + 1e-6)


class QuantizeTest(unittest.TestCase):
    def test_quantize_multiplier_vs_exact(self):
        rng = np.random.default_rng(11)
        for m in np.exp(rng.uniform(math.log(1e-9), math.log(1e4), 5000)):
            mult, shift = quantize.quantize_multiplier(m)
            self.assertTrue(2**30 <= mult < 2**31 and -31 <= shift <= 30, (m, mult, shift))
            self.assertLessEqual(abs(mult * 2.0**(shift - 31) - m) / m, 2.0**-31 * 1.0001)
        self.assertEqual(quantize.quantize_multiplier(0.5), (2**30, 0))
        self.assertEqual(quantize.quantize_multiplier(0.75), (1610612736, 0))
        # frac rounds up to 2^31: renormalised
        self.assertEqual(quantize.quantize_multiplier(1.0 - 2.0**-40), (2**30, 1))
        self.assertEqual(quantize.quantize_multiplier(2.0**-40), (0, 0))
        self.assertEqual(quantize.quantize_multiplier(0.0), (0, 0))

    def test_weights_per_channel_symmetric(self):
        rng = np.random.default_rng(5)
        w = rng.normal(0, 1, (6, 3, 3, 4)) * rng.uniform(0.01, 3, (6, 1, 1, 1))
        q, s = quantize.quantize_weights(w)
        self.assertEqual(q.dtype, np.int8)
        self.assertEqual(q.min() >= -127, True)
        np.testing.assert_array_equal(np.abs(q).reshape(6, -1).max(1), 127)
        err = np.abs(q * s[:, None, None, None].astype(np.float64) - w)
        self.assertTrue(np.all(err <= s[:, None, None, None] * 0.5 * (1 + 1e-6)))

    def test_input_lut(self):
        with open(os.path.join(DATA, "test-model.mtm"), "rb") as f:
            m = mtm.read(f.read())
        t = m.tensors[m.input_tensor]
        p = np.arange(256) / 255.0
        for c in range(3):
            real = (p - m.mean[c]) / m.std[c]
            deq = t.scale * (m.input_lut[c].astype(np.float64) - t.zero_point)
            self.assertLessEqual(np.abs(real - deq).max(), 0.5 * t.scale * 1.0001)
        self.assertEqual(quantize.round_half_away(-2.5), -3)
        self.assertEqual(quantize.round_half_away(2.5), 3)


class HandComputedOpsTest(unittest.TestCase):
    def test_conv_3x3_stride2_pad1(self):
        # in 3x3x1, zp 2: x - zp = [[0,1,2],[3,4,5],[6,7,-1]]
        x = np.array([[2, 3, 4], [5, 6, 7], [8, 9, 1]], np.int8).reshape(3, 3, 1)
        w = np.array([[[1, 1, 1], [1, 2, 1], [1, 1, 1]],      # out channel 0
                      [[0, 0, 0], [0, -1, 0], [0, 0, 0]]],    # out channel 1: minus centre
                     np.int8).reshape(2, 3, 3, 1)
        op = mtm.Op(type=mtm.CONV2D, input0=0, output=1, kh=3, kw=3, stride_h=2, stride_w=2,
                    pad_top=1, pad_left=1, pad_bottom=1, pad_right=1, act_min=-10, act_max=127,
                    weights=w, bias=np.array([10, -3], np.int32),
                    mult=np.array([1 << 30, 1610612736], np.int32),   # M = 1/8, 3/4
                    shift=np.array([-2, 0], np.int32))
        t_in = mtm.Tensor(3, 3, 1, 1.0, 2)
        t_out = mtm.Tensor(2, 2, 2, 1.0, -5)
        y = ir.conv2d(x, op, t_in, t_out, depthwise=False)
        # channel 0 acc = 10 + {8, 14, 26, 14} = {18, 24, 36, 24} -> /8 = 2.25, 3, 4.5, 3
        #   -> 2, 3, 5, 3 -> + zp(-5) = -3, -2, 0, -2
        # channel 1 acc = -3 - {0, 2, 6, -1} = {-3, -5, -9, -2} -> *3/4 = -2.25, -3.75, -6.75,
        #   -1.5 -> -2, -4, -7, -1 (tie upward) -> + zp = -7, -9, -12 (clamped to -10), -6
        want = np.array([[[-3, -7], [-2, -9]], [[0, -10], [-2, -6]]], np.int8)
        np.testing.assert_array_equal(y, want)

    def test_depthwise_equals_per_channel_conv(self):
        rng = np.random.default_rng(2)
        h, w, c, k = 6, 5, 3, 5
        x = rng.integers(-128, 128, (h, w, c)).astype(np.int8)
        wd = rng.integers(-127, 128, (k, k, c)).astype(np.int8)
        bias = rng.integers(-500, 500, c).astype(np.int32)
        mult = rng.integers(2**30, 2**31, c).astype(np.int32)
        shift = rng.integers(-12, -6, c).astype(np.int32)
        geo = dict(kh=k, kw=k, stride_h=2, stride_w=2, pad_top=2, pad_left=1, pad_bottom=1,
                   pad_right=2)
        oh, ow = (h + 3 - k) // 2 + 1, (w + 3 - k) // 2 + 1
        op = mtm.Op(type=mtm.DEPTHWISE_CONV2D, input0=0, output=1, weights=wd, bias=bias,
                    mult=mult, shift=shift, **geo)
        y = ir.conv2d(x, op, mtm.Tensor(h, w, c, 1.0, 3), mtm.Tensor(oh, ow, c, 1.0, -7), True)
        for ch in range(c):
            op1 = mtm.Op(type=mtm.CONV2D, input0=0, output=1, weights=wd[:, :, ch].reshape(1, k, k, 1),
                         bias=bias[ch:ch + 1], mult=mult[ch:ch + 1], shift=shift[ch:ch + 1], **geo)
            y1 = ir.conv2d(x[:, :, ch:ch + 1], op1, mtm.Tensor(h, w, 1, 1.0, 3),
                           mtm.Tensor(oh, ow, 1, 1.0, -7), False)
            np.testing.assert_array_equal(y[:, :, ch:ch + 1], y1)

    def test_add_and_pool(self):
        # ADD: s0 = 0.5, s1 = 0.25, s_out = 0.5, all zp 0 -> out = round((q0*0.5 + q1*0.25)/0.5)
        m0 = quantize.quantize_multiplier(0.5)
        m1 = quantize.quantize_multiplier(0.25)
        mo = quantize.quantize_multiplier(1.0 / (2**20 * 0.5))
        op = mtm.Op(type=mtm.ADD, input0=0, input1=1, output=2,
                    params=[m0[0], m0[1], m1[0], m1[1], mo[0], mo[1], 20])
        t0, t1, to = mtm.Tensor(1, 1, 4, 0.5, 0), mtm.Tensor(1, 1, 4, 0.25, 0), mtm.Tensor(1, 1, 4, 0.5, 0)
        x0 = np.array([3, 1, -1, 100], np.int8).reshape(1, 1, 4)
        x1 = np.array([2, 1, -1, 100], np.int8).reshape(1, 1, 4)
        # 2.0 -> 4; 0.75 -> 1.5 -> 2; -0.75 -> -1.5 -> -2 (half away); 75 -> 150 -> 127
        np.testing.assert_array_equal(ir.add(x0, x1, op, t0, t1, to).reshape(-1), [4, 2, -2, 127])
        # POOL: mean of {1, 2, 3, 5} (zp 0) = 2.75 -> 3; of {-1, -2, -3, -5} -> -3
        pm = quantize.quantize_multiplier(1.0 / 4)
        op = mtm.Op(type=mtm.GLOBAL_AVG_POOL, input0=0, output=1, params=[pm[0], pm[1]])
        x = np.array([[1, -1], [2, -2], [3, -3], [5, -5]], np.int8).reshape(2, 2, 2)
        y = ir.global_avg_pool(x, op, mtm.Tensor(2, 2, 2, 1.0, 0), mtm.Tensor(1, 1, 2, 1.0, 0))
        np.testing.assert_array_equal(y.reshape(-1), [3, -3])
        # POOL_DIV, mult 0 (TFLite's AVERAGE_POOL_2D, the raw mean): {1, 2, 3, 5} -> 11/4 -> 3,
        # {0, 1} -> 0.5 -> 1 and {0, -1} -> -0.5 -> -1 (ties away from zero), 3x3 of 4 + 5 -> 4;
        # zero points are not used
        op = mtm.Op(type=mtm.GLOBAL_AVG_POOL_DIV, input0=0, output=1, act_min=-128, act_max=127)
        tq = mtm.Tensor(1, 1, 3, 1.0, 7)
        pool = lambda x: ir.global_avg_pool_div(x, op, tq, tq).reshape(-1)
        x = np.array([[1, 0, 0], [2, 1, -1], [3, 0, 0], [5, 0, 0]], np.int8).reshape(2, 2, 3)
        np.testing.assert_array_equal(pool(x), [3, 0, 0])
        np.testing.assert_array_equal(pool(np.array([[0, 0], [1, -1]], np.int8).reshape(1, 2, 2)), [1, -1])
        x = np.array([4] * 5 + [5] * 4, np.int8).reshape(3, 3, 1)  # 40 / 9 = 4.44
        np.testing.assert_array_equal(pool(x), [4])
        op.act_max = 2
        np.testing.assert_array_equal(pool(x), [2])
        # mult != 0 (TFLite's MEAN): s_in / s_out = 2, zp_in 1, zp_out -3: {2, 3, 5, 7} - 1
        # = 13 -> 26 -> 26 / 4 = 6.5 -> 7 -> 4
        pm = quantize.quantize_multiplier(2.0)
        op = mtm.Op(type=mtm.GLOBAL_AVG_POOL_DIV, input0=0, output=1, params=[pm[0], pm[1]])
        x = np.array([2, 3, 5, 7], np.int8).reshape(2, 2, 1)
        y = ir.global_avg_pool_div(x, op, mtm.Tensor(2, 2, 1, 0.2, 1), mtm.Tensor(1, 1, 1, 0.1, -3))
        np.testing.assert_array_equal(y.reshape(-1), [4])


class FloatAgreementTest(unittest.TestCase):
    """int8_reference on the test model vs the float model it was quantized from."""

    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        m, buf, cls.float_model = make_test_model.build_mtm(1234)
        cls.model = mtm.read(buf)
        cls.ops = netspec.fold_bn(cls.float_model)
        rng = np.random.default_rng(99)
        cls.images = list(make_test_model.smooth_images(rng, 12, 32, 3))

    def test_fold_bn_matches_module(self):
        x = quantize.preprocess(np.stack(self.images), make_test_model.MEAN, make_test_model.STD)
        with torch.no_grad():
            part, full = self.float_model(x)
        env = netspec.run_folded(self.ops, x)
        np.testing.assert_allclose(env["part_pool"].flatten(1).numpy(), part.numpy(), atol=1e-4)
        np.testing.assert_allclose(env["full_pool"].flatten(1).numpy(), full.numpy(), atol=1e-4)

    def test_each_op_within_a_few_lsb(self):
        """Each op fed the reference's own int8 input, run in float, rounded: the int8 result
        may differ only by weight quantization and the documented double rounding."""
        m = self.model
        names = ["input"] + [o["out"] for o in self.ops]
        idx = {n: i for i, n in enumerate(names)}
        worst = {}
        for img in self.images[:4]:
            vals = ir.run(m, img)

            def deq(name):
                t = m.tensors[idx[name]]
                v = t.scale * (vals[idx[name]].astype(np.float64) - t.zero_point)
                return torch.from_numpy(v.astype(np.float32)).permute(2, 0, 1)[None]
            for o in self.ops:
                x = deq(o["in"])
                if o["op"] in ("conv", "dw"):
                    t, l, b, r = o["pad"]
                    y = F.conv2d(F.pad(x, (l, r, t, b)), o["weight"], o["bias"], o["stride"],
                                 groups=x.shape[1] if o["op"] == "dw" else 1)
                    y = y.clamp(0, 6) if o["relu6"] else y
                elif o["op"] == "add":
                    y = x + deq(o["in1"])
                else:
                    y = x.mean((2, 3), keepdim=True)
                to = m.tensors[idx[o["out"]]]
                want = np.clip(np.round(y[0].permute(1, 2, 0).numpy() / to.scale) + to.zero_point,
                               -128, 127)
                d = vals[idx[o["out"]]].astype(np.int32) - want
                mx, mean_abs = worst.get(o["out"], (0, 0.0))
                worst[o["out"]] = (max(mx, np.abs(d).max()), max(mean_abs, np.abs(d).mean()))
        for name, (mx, mean_abs) in worst.items():
            limit = 0 if name.endswith(".add") else 3
            if name.endswith("pool"):
                limit = 1
            self.assertLessEqual(mx, limit, name)
            self.assertLess(mean_abs, 0.4, name)

    def test_pooled_features_end_to_end(self):
        m = self.model
        x = quantize.preprocess(np.stack(self.images), make_test_model.MEAN, make_test_model.STD)
        env = netspec.run_folded(self.ops, x)
        stats = {}
        for stage, key in (("part", "part_pool"), ("full", "full_pool")):
            f = env[key].flatten(1).numpy()
            q = np.stack([ir.features(m, ir.run(m, img), stage) for img in self.images])
            cos = (f * q).sum(1) / np.linalg.norm(f, axis=1) / np.linalg.norm(q, axis=1)
            rel = np.linalg.norm(f - q, axis=1) / np.linalg.norm(f, axis=1)
            stats[stage] = (cos.mean(), rel.mean())
            print("\n%s feature, int8 vs float (random untrained test model, %d images): "
                  "mean cosine %.4f, mean relative L2 error %.3f"
                  % (stage, len(self.images), cos.mean(), rel.mean()))
        # the random untrained network amplifies rounding layer after layer (see the per-op
        # test for the arithmetic itself); these bounds catch a broken pipeline, not noise
        self.assertGreater(stats["part"][0], 0.99)
        self.assertLess(stats["part"][1], 0.15)
        self.assertGreater(stats["full"][0], 0.97)
        self.assertLess(stats["full"][1], 0.30)

    def test_golden_file_is_current(self):
        with open(os.path.join(DATA, "test-model.golden"), "rb") as f:
            buf = f.read()
        cases = make_golden.read_golden(buf, self.model)
        self.assertEqual(len(cases), 3)
        for px, tensors in cases:
            vals = ir.run(self.model, px)
            for i, (a, b) in enumerate(zip(vals, tensors)):
                np.testing.assert_array_equal(a, b, "tensor %d" % i)
        t = self.model.tensors[0]
        imgs = make_golden.case_images(4321, 3, t.h, t.w, t.c)
        self.assertEqual(make_golden.write_golden(self.model, imgs), buf)


if __name__ == "__main__":
    unittest.main()
