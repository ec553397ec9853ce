"""The PyTorch teacher port (factory/teacher.py) against the original model run once in tfjs.

Golden pooled taps come from factory/tfjs_golden.mjs (tfjs wasm backend), stored in
tests/data/teacher-golden.npz. Skips, with the reason, when the imported teacher weights are
absent (run `python3 factory/teacher_import.py` to create them; it needs npm).
"""
import json
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

GOLDEN = os.path.join(HERE, "data", "teacher-golden.npz")
# Relative tolerance on each pooled vector (max |port - tfjs| / max |tfjs|): float32 with a
# different summation order gives ~1e-6; a padding or epsilon mistake gives > 1e-2.
RTOL = 1e-4


def golden_input(kind, px):
    """The uint8 image tfjs_golden.mjs builds, bit for bit (same integer/double arithmetic)."""
    a = np.zeros((px, px, 3), np.uint8)
    h = 12345
    for y in range(px):
        for x in range(px):
            for c in range(3):
                if kind == 0:
                    v = int(x * 255 / (px - 1) * (c == 0) + y * 255 / (px - 1) * (c == 1)
                            + (x + y) * 127 / (px - 1) * (c == 2))
                elif kind == 1:
                    h = (h * 1103515245 + 12345) & 0xFFFFFFFF
                    v = (h >> 16) & 255
                else:
                    v = ((x >> 3) * 37 + (y >> 3) * 91 + c * 50) % 256
                a[y, x, c] = v
    return a


def _teacher_missing():
    try:
        import torch  # noqa: F401
        from teacher import weights_path
    except ImportError as e:
        return f"needs python3-torch: {e}"
    missing = [m for m in ("mobilenet_v2", "inception_v3") if not os.path.exists(weights_path(m))]
    if missing:
        return (f"teacher weights {missing} not imported (run: /usr/bin/python3 factory/teacher_import.py; "
                "needs npm and network access to the npm registry)")
    return None


@unittest.skipIf(_teacher_missing() is not None, _teacher_missing() or "")
class TeacherMatchesTfjs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import torch
        torch.set_num_threads(2)
        cls.golden = np.load(GOLDEN)
        cls.meta = json.loads(str(cls.golden["__meta__"]))
        cls.cases = sorted({tuple(k.split("/")[:3]) for k in cls.golden.files if k != "__meta__"})

    def _run(self, model):
        import torch
        from teacher import KerasNet, to_input
        worst = 0.0
        cases = [c for c in self.cases if c[0] == model]
        self.assertGreater(len(cases), 0, f"no golden cases for {model}")
        first = "Conv1_relu" if model == "mobilenet_v2" else "activation_1"
        corner_net = KerasNet(model, [first]).eval()
        nets = {}
        for _, px, image in cases:
            prefix = f"{model}/{px}/{image}/"
            taps = tuple(k[len(prefix):] for k in self.golden.files
                         if k.startswith(prefix) and not k.endswith("corner"))
            if taps not in nets:
                nets[taps] = KerasNet(model, taps).eval()
            x = to_input(golden_input(int(image), int(px))[None], int(px))
            with torch.no_grad():
                out = {t: v[0].numpy() for t, v in nets[taps](x).items()}
                # bottom-right 4 x 4 corner of the first conv's map (HWC): catches padding sides
                out["corner"] = corner_net(x, pool=False)[first][0, :, -4:, -4:].permute(1, 2, 0).numpy()
            for tap in taps + ("corner",):
                want = self.golden[prefix + tap]
                got = out[tap]
                self.assertEqual(got.shape, want.shape, tap)
                err = np.abs(got - want).max() / max(np.abs(want).max(), 1e-6)
                worst = max(worst, err)
                if err > RTOL:
                    g, w = got.ravel(), want.ravel()
                    i = np.argsort(-np.abs(g - w))[:5]
                    self.fail(f"{prefix}{tap}: rel err {err:.2e} > {RTOL}; first mismatches "
                              + ", ".join(f"[{j}] got {g[j]:.6g} want {w[j]:.6g}" for j in i))
        return worst

    def test_mobilenet_v2(self):
        worst = self._run("mobilenet_v2")
        print(f"\nmobilenet_v2 vs tfjs {self.meta['tfjs']} ({self.meta['backend']}): max rel err {worst:.2e}")

    def test_inception_v3(self):
        worst = self._run("inception_v3")
        print(f"\ninception_v3 vs tfjs {self.meta['tfjs']} ({self.meta['backend']}): max rel err {worst:.2e}")


if __name__ == "__main__":
    unittest.main()
