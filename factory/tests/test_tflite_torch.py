"""factory/tflite_torch.py against a direct NHWC numpy implementation of TFLite's float ops
(written here from the TFLite op semantics, loops in TensorFlow's layout), on a synthetic model
serialised by Google's FlatBuffers builder (tests/make_tflite_models.py) and read by the CLI's
`microt tflite-dump`: SAME padding on even sizes at stride 2 (TensorFlow puts the extra pixel after),
stride 2, depthwise weights [1, KH, KW, C], fp16 weights behind DEQUANTIZE, HARD_SWISH, MEAN
with keep_dims, broadcast MUL, residual ADD, a global AVERAGE_POOL_2D at another input size,
RESHAPE and FULLY_CONNECTED. Skips when the CLI is not built."""
import importlib.util
import os
import subprocess
import tempfile
import unittest

import numpy as np
import torch

from factory import tflite_torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MICROT = next((os.path.join(REPO, b) for b in ("build/tools/microt", "build-asan/tools/microt")
               if os.access(os.path.join(REPO, b), os.X_OK)), None)
F32, F16 = 0, 1
U_CONV, U_DW, U_POOL, U_FC, U_ADD, U_MUL, U_REDUCER = 1, 2, 5, 8, 11, 21, 27
CONV, DW, DEQ, FC, HSWISH, MEAN, MUL, ADD, AVGPOOL, RESHAPE = 3, 4, 6, 9, 117, 40, 18, 0, 1, 22


def _builder():
    spec = importlib.util.spec_from_file_location("mk", os.path.join(REPO, "tests", "make_tflite_models.py"))
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    return mk


def _same(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def np_conv(x, w, b, stride, depthwise=False):
    """x [H, W, C], w [O, KH, KW, I] (or [1, KH, KW, C] depthwise), SAME padding."""
    kh, kw = w.shape[1], w.shape[2]
    (pt, pb), (pl, pr) = _same(x.shape[0], kh, stride), _same(x.shape[1], kw, stride)
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0)))
    oh, ow = -(-x.shape[0] // stride), -(-x.shape[1] // stride)
    out = np.zeros((oh, ow, w.shape[3] if depthwise else w.shape[0]))
    for i in range(oh):
        for j in range(ow):
            win = xp[i * stride:i * stride + kh, j * stride:j * stride + kw]
            if depthwise:
                out[i, j] = (win * w[0]).sum((0, 1))
            else:
                out[i, j] = np.tensordot(w, win, axes=([1, 2, 3], [0, 1, 2]))
    return out + b


class TFLiteTorch(unittest.TestCase):
    def setUp(self):
        if MICROT is None:
            self.skipTest("the microt CLI is not built (make build)")
        mk = _builder()
        g = np.random.default_rng(3)
        m = mk.Model()
        self.w1 = g.standard_normal((4, 3, 3, 3)).astype(np.float32)
        self.b1 = g.standard_normal(4).astype(np.float32)
        self.w2 = g.standard_normal((1, 3, 3, 4)).astype(np.float16)
        self.b2 = g.standard_normal(4).astype(np.float16)
        self.w3 = g.standard_normal((4, 1, 1, 4)).astype(np.float32)
        self.w4 = g.standard_normal((2, 4)).astype(np.float32)
        self.b4 = g.standard_normal(2).astype(np.float32)
        t = lambda name, shape, data=None, ttype=F32: m.tensor(
            name, ttype, shape, m.buffer(data.tobytes()) if data is not None else 0)
        x = t("x", [1, 10, 10, 3])
        w1, b1 = t("w1", [4, 3, 3, 3], self.w1), t("b1", [4], self.b1)
        w2h, b2h = t("w2h", [1, 3, 3, 4], self.w2, F16), t("b2h", [4], self.b2, F16)
        w2, b2 = t("w2", [1, 3, 3, 4]), t("b2", [4])
        w3 = t("w3", [4, 1, 1, 4], self.w3)
        w4, b4 = t("w4", [2, 4], self.w4), t("b4", [2], self.b4)
        axes = m.tensor("axes", 2, [2], m.buffer(np.array([1, 2], "<i4").tobytes()))
        shape = m.tensor("shape", 2, [2], m.buffer(np.array([1, 4], "<i4").tobytes()))
        y1, y2, y3, y4, y5, y6, y7, y8, y9, y10 = (t("y%d" % i, s) for i, s in enumerate(
            [[1, 5, 5, 4], [1, 5, 5, 4], [1, 5, 5, 4], [1, 1, 1, 4], [1, 5, 5, 4], [1, 5, 5, 4],
             [1, 5, 5, 4], [1, 1, 1, 4], [1, 4], [1, 2]], 1))
        m.inputs, m.outputs = [x], [y10]
        m.op(CONV, [x, w1, b1], [y1], (U_CONV, lambda b: [("Int8", 0, 0), ("Int32", 1, 2), ("Int32", 2, 2),
                                                          ("Int8", 3, 3)]))          # SAME, s2, RELU6
        m.op(DEQ, [w2h], [w2])
        m.op(DEQ, [b2h], [b2])
        m.op(DW, [y1, w2, b2], [y2], (U_DW, lambda b: [("Int8", 0, 0), ("Int32", 1, 1), ("Int32", 2, 1),
                                                       ("Int32", 3, 1)]))            # SAME, s1
        m.op(HSWISH, [y2], [y3])
        m.op(MEAN, [y3, axes], [y4], (U_REDUCER, lambda b: [("Bool", 0, True)]))
        m.op(MUL, [y3, y4], [y5], (U_MUL, lambda b: []))
        m.op(CONV, [y5, w3, -1], [y6], (U_CONV, lambda b: [("Int32", 1, 1), ("Int32", 2, 1)]))
        m.op(ADD, [y6, y2], [y7], (U_ADD, lambda b: []))
        m.op(AVGPOOL, [y7], [y8], (U_POOL, lambda b: [("Int8", 0, 1), ("Int32", 1, 1), ("Int32", 2, 1),
                                                       ("Int32", 3, 5), ("Int32", 4, 5)]))  # VALID 5x5
        m.op(RESHAPE, [y8, shape], [y9])
        m.op(FC, [y9, w4, b4], [y10], (U_FC, lambda b: []))
        self.tmp = tempfile.mkdtemp()
        path = os.path.join(self.tmp, "m.tflite")
        with open(path, "wb") as f:
            f.write(m.build()[0])
        subprocess.run([MICROT, "tflite-dump", path, "-o", os.path.join(self.tmp, "dump")],
                       check=True, stdout=subprocess.DEVNULL)

    def reference(self, x):
        y1 = np.clip(np_conv(x, self.w1.astype(np.float64), self.b1, 2), 0, 6)
        y2 = np_conv(y1, self.w2.astype(np.float64), self.b2.astype(np.float64), 1, depthwise=True)
        y3 = y2 * np.clip(y2 + 3, 0, 6) / 6
        y5 = y3 * y3.mean((0, 1), keepdims=True)
        y6 = np.tensordot(y5, self.w3[:, 0, 0, :].astype(np.float64), axes=([2], [1]))
        y7 = y6 + y2
        y8 = y7.mean((0, 1))
        return {"op3": y2.mean((0, 1)), "op9": y8, "op11": self.w4 @ y8 + self.b4, "b0": y7.mean((0, 1))}

    def check(self, size):
        g = np.random.default_rng(size)
        x = g.standard_normal((size, size, 3)).astype(np.float32)
        net = tflite_torch.TFLiteNet(os.path.join(self.tmp, "dump"), ["op3", "op9", "op11", "b0"])
        with torch.no_grad():
            got = net(torch.from_numpy(x).permute(2, 0, 1)[None])
        want = self.reference(x.astype(np.float64))
        for k, v in want.items():
            np.testing.assert_allclose(got[k][0].numpy(), v, rtol=1e-4, atol=1e-4, err_msg=k)

    def test_matches_numpy_at_native_size(self):
        self.check(10)

    def test_global_pool_follows_the_input_size(self):
        self.check(14)

    def test_bottleneck_is_the_residual_add(self):
        g, _ = tflite_torch.load_dump(os.path.join(self.tmp, "dump"))
        # the 1x1 projection (op 7) feeds the residual ADD (op 8): the block's output is the ADD
        self.assertEqual(tflite_torch.bottleneck_ops(g), [8])


if __name__ == "__main__":
    unittest.main()
