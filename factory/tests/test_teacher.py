"""The PyTorch teacher port (factory/teacher.py) against the original model run once in tfjs.

Golden pooled taps come from factory/tfjs_golden.mjs (tfjs wasm backend), stored in
tests/data/teacher-golden.npz. Skips, with the reason, when the imported teacher weights are
absent (run `factory/run.sh teacher_import.py` to create them; it needs npm).
"""
import json
import os
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

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
        from factory.teacher import weights_path
    except ImportError as e:
        return f"needs python3-torch: {e}"
    missing = [m for m in ("mobilenet_v2", "inception_v3") if not os.path.exists(weights_path(m))]
    if missing:
        return (f"teacher weights {missing} not imported (run: factory/run.sh teacher_import.py; "
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
        from factory.teacher import KerasNet, to_input
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
                if px == "96":  # the shipped path folds BN into the convs: check that one too
                    nets[taps].fuse()
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



class ProbeScores(unittest.TestCase):
    """probe.probe_accuracy on synthetic features with a known answer."""

    def setUp(self):
        try:
            import sklearn  # noqa: F401
        except ImportError:
            self.skipTest("needs python3-sklearn")
        rng = np.random.default_rng(0)
        centres = rng.normal(0, 1, (10, 32)) * 3
        def draw(n):
            y = np.repeat(np.arange(10), n)
            return centres[y] + rng.normal(0, 1, (len(y), 32)), y
        self.pool, self.test = draw(150), draw(100)

    def test_separable_classes_score_high(self):
        from factory.probe import probe_accuracy
        acc = probe_accuracy(*self.pool, *self.test, k=10, seed=0)
        self.assertGreater(acc, 0.95)

    def test_shuffled_labels_score_chance(self):
        from factory.probe import probe_accuracy
        y = np.random.default_rng(1).permutation(self.pool[1])
        acc = probe_accuracy(self.pool[0], y, *self.test, k=100, seed=0)
        self.assertLess(acc, 0.25)


class DownstreamReaders(unittest.TestCase):
    def test_digits_layout(self):
        from factory import downstream
        if not os.path.exists(downstream.DIGITS_PNG):
            self.skipTest(f"{downstream.DIGITS_PNG} absent (Debian package opencv-doc)")
        x, y = downstream.load_digits_png()
        self.assertEqual(x.shape, (5000, 20, 20))
        self.assertEqual(np.bincount(y).tolist(), [500] * 10)
        ink = [x[y == c].mean() for c in range(10)]
        # a '1' has the least ink and an '8' or '0' the most: fails if rows map to wrong labels
        self.assertEqual(int(np.argmin(ink)), 1)
        self.assertIn(int(np.argmax(ink)), (0, 8))

    def test_fashion_idx(self):
        from factory import downstream
        if not os.path.isdir(downstream.FASHION_DIR):
            self.skipTest(f"{downstream.FASHION_DIR} absent (Debian package dataset-fashion-mnist)")
        d = downstream.load_fashion()
        self.assertEqual(d["train"][0].shape, (60000, 28, 28))
        self.assertEqual(d["test"][0].shape, (10000, 28, 28))
        self.assertEqual(np.bincount(d["test"][1]).tolist(), [1000] * 10)
        # class 1 (trouser) is narrow: less ink than class 2 (pullover)
        x, y = d["test"]
        self.assertLess(x[y == 1].mean(), x[y == 2].mean())


if __name__ == "__main__":
    unittest.main()
