"""The TFLite teachers as PyTorch graphs (factory/tflite_teachers.py) against TensorFlow Lite
itself: factory/tests/data/tflite-teacher-golden.npz holds the pooled taps TFLite's own
interpreter computed on three synthetic images at each model's native size
(factory/make_teacher_golden.py). Skips, with the reason, when the teacher files were not
fetched (factory/run.sh tflite_teachers.py, which needs npm and the microt CLI)."""
import json
import os
import unittest

import numpy as np
import torch

from factory import make_teacher_golden, tflite_teachers

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tflite-teacher-golden.npz")
# max |port - TFLite| / max |TFLite| per pooled vector: float32 in a different order of sums
TOL = 1e-4


class TFLiteTeachers(unittest.TestCase):
    def check(self, short):
        dump = os.path.join(tflite_teachers.teacher_dir(short), "dump", "graph.json")
        if not os.path.exists(dump):
            self.skipTest("%s not fetched (factory/run.sh tflite_teachers.py)" % short)
        z = np.load(GOLDEN)
        meta = json.loads(str(z["__meta__"]))[short]
        with open(os.path.join(tflite_teachers.teacher_dir(short), "meta.json")) as f:
            self.assertEqual(json.load(f)["sha256"], meta["teacher"]["sha256"], "another teacher file")
        px, taps = meta["px"], meta["taps"]
        net = tflite_teachers.TFLiteTeacherNet(short, taps)
        x = torch.from_numpy(make_teacher_golden.images(px)).permute(0, 3, 1, 2)
        with torch.no_grad():
            out = net(x)
            net.net.pool = False
            maps = net(x)[taps[0]]
        worst = 0.0
        for i in range(len(x)):
            for t in taps:
                want = z["%s/%d/%s" % (short, i, t)]
                got = out[t][i].numpy()
                err = np.abs(got - want).max() / np.abs(want).max()
                worst = max(worst, err)
                self.assertLess(err, TOL, "%s image %d tap %s" % (short, i, t))
            corner = maps[i].permute(1, 2, 0).numpy()[-4:, -4:, :4]
            np.testing.assert_allclose(corner, z["%s/%d/%s/corner" % (short, i, taps[0])],
                                       rtol=0, atol=TOL * np.abs(z["%s/%d/%s/corner" % (short, i, taps[0])]).max() + 1e-6)
        print("%s vs TFLite (wasm): max rel err %.2e" % (short, worst))

    def test_mobilenet_v3_small(self):
        self.check("mnv3")

    def test_ssd_mobilenet_v2(self):
        self.check("ssd")


if __name__ == "__main__":
    unittest.main()
