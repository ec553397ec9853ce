"""Checks of factory/baselines.py (TinyTL / SparseUpdate simulation) that could fail: per-layer
MAC formulas against hand counts, the autograd-observed cost against the graph-walk count, the
SRAM of a training step against a hand count, which parameters train, that frozen ones stay
frozen, that fine-tuning learns a separable toy task, and that a dequantized .mtm (the start the
results use) computes what the int8 reference computes. Fast: a tiny random network at 16 px and
tests/data/test-model.mtm, no data sets.
  /usr/bin/python3 -m unittest discover -s factory/tests -t . -p 'test_baselines.py'
"""
import os
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
from factory import baselines
from factory import baselines_mtm
from factory import int8_reference
from factory import mtm
from factory import netspec

TEST_MODEL = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "data", "test-model.mtm")

torch.set_num_threads(1)

TINY = {"name": "tiny", "input_px": 16, "in_ch": 3, "stem": {"out": 8, "k": 3, "stride": 2},
        "first_dw": False,
        "blocks": [{"expand": 2, "out": 8, "k": 3, "stride": 1},    # residual, 8 px
                   {"expand": 2, "out": 12, "k": 3, "stride": 2},   # 4 px
                   {"expand": 3, "out": 12, "k": 3, "stride": 1}],  # residual, 4 px
        "feature_mix": None, "split_block": 1}


def tiny_checkpoint(seed=0):
    torch.manual_seed(seed)
    model = netspec.build(TINY)
    with torch.no_grad():  # non-trivial BN statistics so folding matters
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.bias.uniform_(-0.1, 0.1)
    return {"spec": TINY, "state_dict": model.state_dict(), "mean": [0.5] * 3, "std": [0.25] * 3}


class CostFormulas(unittest.TestCase):
    def test_conv_by_hand(self):
        # 3x3 conv, 4 -> 6 channels, 2 groups, 5x5 output: each output element reads 3*3*2 inputs
        c = baselines.conv_cost(3, 4, 6, 2, 25, True, 0.5, True)
        self.assertEqual(c["fwd"], 18 * 6 * 25)
        self.assertEqual(c["bwd_in"], 18 * 6 * 25)
        self.assertEqual(c["bwd_w"], 18 * 3 * 25)   # half the output channels
        self.assertEqual(c["bwd_b"], 6 * 25)
        c = baselines.conv_cost(1, 4, 6, 1, 25, False, 0.0, False)
        self.assertEqual((c["fwd"], c["bwd_in"], c["bwd_w"], c["bwd_b"]), (150 * 4, 0, 0, 0))

    def test_linear_and_total(self):
        h = baselines.linear_cost(160, 10, False)
        self.assertEqual((h["fwd"], h["bwd_in"], h["bwd_w"], h["bwd_b"]), (1600, 0, 1600, 10))
        t = baselines.total([h, baselines.linear_cost(2, 3, True)])
        self.assertEqual(t["fwd"], 1606)
        self.assertEqual(t["bwd"], 1610 + 6 + 6 + 3)
        self.assertEqual(t["step"], t["fwd"] + t["bwd"])

    def test_microt_cost(self):
        c = baselines.microt_cost(TINY, 20, 5, iters=7)
        self.assertEqual(c["forward"], 20 * netspec.macs(TINY)["full"])
        self.assertEqual(c["heads"], 2 * 20 * (8 + 12) * 5 * 7)  # part 8-d, full 12-d
        ttl = baselines.microt_cost(TINY, 20, 5, iters=7, stages=("full",))
        self.assertEqual(ttl["heads"], 2 * 20 * 12 * 5 * 7)


class Networks(unittest.TestCase):
    def setUp(self):
        self.ck = tiny_checkpoint()

    def test_untrained_adapted_equals_student(self):
        model = netspec.build(TINY)
        model.load_state_dict(self.ck["state_dict"])
        model.eval()
        x = torch.randn(3, 3, 16, 16)
        for method in baselines.METHODS:
            net, _ = baselines.build(self.ck, method, 4)
            with torch.no_grad():
                diff = (net.features(x) - model(x)[1]).abs().max().item()
            self.assertLess(diff, 1e-5, method)  # zero-initialised lite residuals are no-ops

    def test_forward_macs_without_lite_residual_match_netspec(self):
        net, _ = baselines.build(self.ck, "sparseupdate", 4)
        c = baselines.analytic_cost(net, 16)
        self.assertEqual(c["fwd"], netspec.macs(TINY)["full"] + 12 * 4)

    def test_measured_equals_analytic(self):
        for method, opts in (("tinytl", {}), ("sparseupdate", {}),
                             ("sparseupdate", {"bias_blocks": 1, "weight_blocks": 2,
                                               "channel_ratio": 0.25})):
            net, _ = baselines.build(self.ck, method, 4, opts)
            m, _ = baselines.measured_cost(net, 16)
            self.assertEqual(m, baselines.analytic_cost(net, 16), (method, opts))

    def test_sparse_update_backprop_depth_by_hand(self):
        # biases of the last block only, weights of b2's pointwise convs, a quarter of channels
        net, _ = baselines.build(self.ck, "sparseupdate", 4,
                                 {"bias_blocks": 1, "weight_blocks": 1, "channel_ratio": 0.25})
        _, rec = baselines.measured_cost(net, 16)
        by = dict(rec)
        for name in ("stem", "b0.expand", "b0.dw", "b0.project", "b1.expand", "b1.dw",
                     "b1.project", "b2.expand"):
            self.assertEqual(by[name]["bwd_in"], 0, name)
        # b2: expand 12->36 at 4x4, dw 3x3 36 at 4x4, project 36->12 at 4x4
        self.assertEqual(by["b2.expand"]["bwd_w"], 12 * 9 * 16)          # 9 of 36 channels
        self.assertEqual(by["b2.expand"]["bwd_b"], 36 * 16)
        self.assertEqual(by["b2.dw"]["bwd_in"], 9 * 36 * 16)
        self.assertEqual(by["b2.dw"]["bwd_w"], 0)
        self.assertEqual(by["b2.project"]["bwd_in"], 36 * 12 * 16)
        self.assertEqual(by["b2.project"]["bwd_w"], 36 * 3 * 16)         # 3 of 12 channels
        self.assertEqual(by["head"]["bwd_in"], 12 * 4)

    def test_tinytl_backprops_to_the_stem(self):
        net, _ = baselines.build(self.ck, "tinytl", 4)
        _, rec = baselines.measured_cost(net, 16)
        by = dict(rec)
        self.assertEqual(by["stem"]["bwd_in"], 0)            # nothing below the stem
        self.assertEqual(by["stem"]["bwd_b"], 8 * 64)
        for name, c in rec:
            if name != "stem":
                self.assertEqual(c["bwd_in"], c["fwd"], name)
            self.assertGreater(c["bwd_b"], 0, name)
        self.assertEqual(sorted(net.lite), ["b0", "b1", "b2"])
        # b1's lite residual: 8 px input pooled to 4, 3x3 stride-2 conv to 2x2, 8 -> 8, 2 groups
        self.assertEqual(by["b1.lite.conv1"]["fwd"], 9 * 4 * 8 * 4)
        self.assertEqual(by["b1.lite.conv2"]["fwd"], 8 * 12 * 4)

    def test_only_chosen_parameters_train(self):
        x = torch.randn(40, 3, 16, 16)
        y = np.arange(40) % 4
        for method in baselines.METHODS:
            net, o = baselines.build(self.ck, method, 4, {"bias_blocks": 1, "weight_blocks": 1})
            before = {k: v.clone() for k, v in net.state_dict().items()}
            r = baselines.fine_tune(self.ck, method, x, y, x, y, seed=0, keep_net=True,
                                    opts={"bias_blocks": 1, "weight_blocks": 1, "epochs": 2})
            self.assertEqual(r["steps"], 2 * 2)
            trained = r["net"].state_dict()
            for k, v in before.items():
                if k.endswith("w_frozen"):
                    self.assertTrue(torch.equal(v, trained[k]), (method, k))
            if method == "sparseupdate":
                self.assertTrue(torch.equal(before["convs.stem.bias"], trained["convs.stem.bias"]))
                self.assertFalse(torch.equal(before["convs.b2_project.bias"],
                                             trained["convs.b2_project.bias"]))
                self.assertEqual(trained["convs.b2_expand.w_upd"].shape[0], 18)  # half of 36
                self.assertNotIn("convs.b2_dw.w_upd", trained)
            else:
                self.assertFalse(torch.equal(before["convs.stem.bias"], trained["convs.stem.bias"]))
                self.assertFalse(torch.equal(before["lite.b0.conv2.weight"],
                                             trained["lite.b0.conv2.weight"]))

    def test_learns_a_separable_toy_task(self):
        g = torch.Generator().manual_seed(0)
        y = np.repeat(np.arange(2), 40)
        x = torch.randn(80, 3, 16, 16, generator=g) * 0.3
        x[y == 1, 0] += 1.5        # class 1: a red shift
        for method in baselines.METHODS:
            r = baselines.fine_tune(self.ck, method, x[::2], y[::2], x[1::2], y[1::2], seed=1,
                                    opts={"epochs": 15, "lr": 1e-2})
            self.assertGreater(r["acc"], 0.8, method)
            self.assertEqual(r["train_macs"], r["step_macs_per_sample"] * 40 * 15)

    def test_run_entry_point_on_a_toy_task(self):
        rng = np.random.default_rng(0)
        def images(y):
            x = rng.integers(0, 80, (len(y), 16, 16, 3)).astype(np.uint8)
            x[y == 1, :, :, 0] += 150      # class 1 is red
            return x
        py, ty = np.repeat(np.arange(2), 12), np.repeat(np.arange(2), 10)
        baselines._TASKS["toy"] = {"pool": (images(py), py), "test": (images(ty), ty)}
        try:
            r = baselines.run("sparseupdate", self.ck, "toy", 5, 0, opts={"epochs": 10})
            self.assertGreater(r["acc"], 0.8)
            self.assertEqual(r["n_train"], 10)
            self.assertEqual(r["steps"], 10)          # 10 samples, batch 20: one step an epoch
            self.assertEqual(r["microt_macs"], baselines.microt_cost(TINY, 10, 2)["total"])
            self.assertGreater(baselines.probe_reference(self.ck, "toy", 5, 0), 0.8)
        finally:
            del baselines._TASKS["toy"]


class TrainingMemory(unittest.TestCase):
    def test_sparse_update_step_by_hand(self):
        # b2 only: biases of expand/dw/project (36 + 36 + 12), a quarter of the expand (9 of 36
        # rows x 12) and project (3 of 12 rows x 36) weights, the 12 -> 4 head (48 + 4)
        net, _ = baselines.build(tiny_checkpoint(), "sparseupdate", 4,
                                 {"bias_blocks": 1, "weight_blocks": 1, "channel_ratio": 0.25})
        m = baselines.train_memory(net, 16)
        self.assertEqual(m["trainable"], 84 + 108 + 108 + 52)
        self.assertEqual(m["params"], 16 * m["trainable"])          # value, gradient, Adam m and v
        # int8 inputs of the two trained convs (4x4x12, 4x4x36), 1-bit masks of b2.expand, .dw
        # (4x4x36 each), .project and .add (4x4x12 each), the head's float input (12 x 4 B)
        self.assertEqual(m["kept"], 192 + 576 + 72 + 72 + 24 + 24 + 48)
        # largest set of float gradients alive: at b2.dw's backward, its output's and its input's
        self.assertEqual(m["grads"], 4 * (576 + 576))
        self.assertEqual(m["total"], m["params"] + m["kept"] + m["grads"])

    def test_tinytl_keeps_only_the_lite_residual_inputs(self):
        # bias updates need no activations (TinyTL's point); the lite residuals' weights need
        # their inputs: conv1 the 2x2-pooled block input (b0 4x4x8, b1 4x4x8, b2 2x2x12), conv2
        # its hidden map (b0 4x4x8, b1 2x2x8 after stride 2, b2 2x2x12)
        t = baselines.train_memory(baselines.build(tiny_checkpoint(), "tinytl", 4)[0], 16)
        inputs = (128 + 128 + 48) + (128 + 32 + 48)
        # 1-bit masks of every conv/add output (all on the gradient path: every bias trains):
        # stem 8x8x8, b0 expand/dw 8x8x16, project/add 8x8x8, b1 expand 8x8x16, dw 4x4x16,
        # project 4x4x12, b2 expand/dw 4x4x36, project/add 4x4x12; the lite conv1 outputs
        masks = (512 + 1024 + 1024 + 512 + 512 + 1024 + 256 + 192 + 576 + 576 + 192 + 192) // 8 \
            + (128 + 32 + 48) // 8
        self.assertEqual(t["kept"], inputs + masks + 48)


class ShippedModelStart(unittest.TestCase):
    """The results start TinyTL / SparseUpdate from a dequantized .mtm: it must be the model."""

    @classmethod
    def setUpClass(cls):
        cls.ck = baselines.load_start(TEST_MODEL)
        with open(TEST_MODEL, "rb") as f:
            cls.model = mtm.read(f.read())

    def test_block_names_follow_the_graph(self):
        names = [op["name"] for op in self.ck["ops"]]
        # tests/data/README.md: stem, a residual first block, 6 inverted residuals b0..b5
        self.assertEqual(names[:4], ["stem", "first.dw", "first.project", "first.add"])
        self.assertEqual(sorted({n.split(".")[0] for n in names if n.startswith("b")}),
                         ["b%d" % i for i in range(6)])
        self.assertEqual(names.count("part_pool"), 1)
        self.assertEqual(names[-1], "full_pool")
        net, _ = baselines.build(self.ck, "tinytl", 10)
        self.assertEqual(sorted(net.lite), ["b%d" % i for i in range(6)])

    def test_macs_equal_the_file(self):
        net, _ = baselines.build(self.ck, "sparseupdate", 10)
        # conv MACs of the file (tests/data/README.md: 682,752) + the 32 -> 10 head
        self.assertEqual(baselines.analytic_cost(net, 32)["fwd"], 682752 + 320)
        self.assertEqual(self.ck["info"]["macs"], 682752)

    def test_float_features_track_the_int8_reference(self):
        rng = np.random.default_rng(3)
        images = rng.integers(0, 256, (6, 8, 8, 3)).astype(np.uint8).repeat(4, 1).repeat(4, 2)
        x = baselines.start_input(self.ck, images)
        net = baselines.Adapted(self.ck["ops"], self.ck["full_dim"], 2).eval()
        with torch.no_grad():
            got = net.features(x).numpy()
        import runtime_features
        frames = runtime_features.to_frames(images, 32, 3)
        want = np.stack([int8_reference.features(self.model, int8_reference.run(self.model, f), "full")
                         for f in frames])
        corr = np.corrcoef(got.ravel(), want.ravel())[0, 1]
        self.assertGreater(corr, 0.97)          # float vs int8 rounding between 27 layers
        self.assertLess(np.abs(got - want).mean(), 0.25 * np.abs(want).mean())

    def test_input_is_the_lut(self):
        frames = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1).repeat(3, 3)
        x = baselines_mtm.frames_to_input(frames, self.ck["info"]["lut"])
        t = self.model.tensors[self.model.input_tensor]
        want = t.scale * (self.model.input_lut[1].astype(np.float32) - t.zero_point)
        self.assertTrue(np.allclose(x[0, 1].reshape(-1).numpy(), want, atol=1e-6))

    def test_run_images_curve(self):
        rng = np.random.default_rng(0)
        y = np.repeat(np.arange(2), 10)
        img = rng.integers(0, 80, (20, 32, 32, 3)).astype(np.uint8)
        img[y == 1, :, :, 0] += 150                # class 1 is red
        r = baselines.run_images("sparseupdate", self.ck, img[::2], y[::2], img[1::2], y[1::2], 0,
                                 epochs=(1, 4), opts={"lr": 1e-2})
        self.assertEqual([c["epoch"] for c in r["curve"]], [1, 4])
        self.assertEqual(r["curve"][1]["train_macs"], 4 * r["curve"][0]["train_macs"])
        self.assertEqual(r["curve"][0]["train_macs"], r["step_macs_per_sample"] * 10)
        self.assertGreater(r["curve"][1]["acc"], 0.8)


if __name__ == "__main__":
    unittest.main()
