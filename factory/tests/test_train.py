"""Checks of the students and their trainer that could fail: MCU budgets, split shares, loss
going down, bit-identical resume, the none baseline, and a 2-process torchrun smoke run.

Runs without ../shared/data (random images and targets via --fake). Must never write into the
repository: every run goes to a temporary folder.
  /usr/bin/python3 -m unittest discover -s factory/tests -p 'test_train.py'
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
FACTORY = os.path.dirname(HERE)
from factory import distill
from factory import netspec
from factory import students

torch.set_num_threads(2)


def residual_blocks(spec):
    """Names of blocks with a residual add, decided from the spec alone."""
    names = []
    c = spec["stem"]["out"]
    fo = netspec.first_dw_out(spec)
    if fo is not None:
        if fo == c:
            names.append("first")
        c = fo
    for i, b in enumerate(spec["blocks"]):
        if b["stride"] == 1 and b["out"] == c:
            names.append("b%d" % i)
        c = b["out"]
    return names


def arena_by_formula(spec):
    """max over layers of input + output (+ the residual source held across the block), and
    3x the block output for each residual add; int8 bytes."""
    res = set(residual_blocks(spec))
    block_in = {}
    peak = 0
    for name, kind, cin, cout, k, stride, ipx, opx, _ in netspec.layer_shapes(spec):
        blk, part = name.split(".") if "." in name else (name, "")
        if part in ("expand", "dw") and blk not in block_in:
            block_in[blk] = ipx * ipx * cin
        b = ipx * ipx * cin + opx * opx * cout
        if blk in res and part in ("dw", "project"):
            b += block_in[blk]
        if blk in res and part == "project":
            peak = max(peak, 3 * opx * opx * cout)
        peak = max(peak, b)
    return peak


def conv_macs_by_hooks(spec):
    """(part MACs, full MACs) counted on the built PyTorch model with forward hooks."""
    model = netspec.build(spec).eval()
    counts = {}

    def hook(mod, inp, out):
        counts[mod] = out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] ** 2

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(hook)
    px = spec["input_px"]
    with torch.no_grad():
        model(torch.zeros(1, spec["in_ch"], px, px))
    part_mods = set(model.stem.modules())
    if model.first is not None:
        part_mods |= set(model.first.modules())
    for blk in model.blocks[:spec["split_block"]]:
        part_mods |= set(blk.modules())
    part = sum(v for m, v in counts.items() if m in part_mods)
    return part, sum(counts.values())


class TestStudents(unittest.TestCase):
    def test_budgets(self):
        for name in students.STUDENTS:
            spec = students.get(name, 64)
            model = netspec.build(spec)
            # independent flash count: every conv weight + 16 bytes per output channel
            convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
            flash = sum(m.weight.numel() + 16 * m.out_channels for m in convs)
            self.assertEqual(students.flash_bytes(spec), flash)
            self.assertLessEqual(flash, students.FLASH_LIMIT_BYTES, name)
            arena = students.arena_bytes(spec)
            ref = arena_by_formula(spec)
            self.assertGreaterEqual(arena, ref, name)
            self.assertLessEqual(arena, ref + model.part_dim + model.full_dim, name)
            self.assertLessEqual(arena, students.ARENA_LIMIT_BYTES, name)
            d = students.describe(spec)
            self.assertTrue(3e6 <= d["macs_full"] <= 15e6, (name, d["macs_full"]))

    def test_split_share(self):
        for name in students.STUDENTS:
            spec = students.get(name, 64)
            part, full = conv_macs_by_hooks(spec)
            self.assertEqual(full, netspec.macs(spec)["full"])
            self.assertAlmostEqual(part / full, students.part_share(spec), places=9)
            self.assertLess(abs(part / full - 0.64), 0.05, (name, part / full))
            # the chosen cut is the closest to 64% among all block boundaries
            k = spec["split_block"]
            for other in (k - 1, k + 1):
                if 1 <= other <= len(spec["blocks"]) - (0 if spec.get("feature_mix") else 1):
                    p2, f2 = conv_macs_by_hooks(dict(spec, split_block=other))
                    self.assertLessEqual(abs(part / full - 0.64), abs(p2 / f2 - 0.64))
            # the split is a parameter
            spec5 = students.get(name, 64, split_block=5)
            self.assertEqual(spec5["split_block"], 5)
            self.assertLess(students.part_share(spec5), students.part_share(spec))


class TestTraining(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="microt-test-train-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _args(self, *extra):
        return ["--fake", "--px", "32", "--max-images", "128", "--batch-size", "32",
                "--runs-dir", self.tmp, "--threads", "1", "--log-every", "1000"] + list(extra)

    def test_loss_decreases_on_fixed_batch(self):
        for mode in ("microt", "ttl"):
            args = distill.parse_args(self._args("--mode", mode))
            torch.manual_seed(0)
            spec = students.get("mcunet", 32)
            tr = distill.Trainer(spec, mode, True, 24, 0.0)
            g = torch.Generator().manual_seed(0)
            images = torch.randint(0, 256, (32, 32, 32, 3), generator=g, dtype=torch.uint8)
            x = distill.preprocess(images.numpy(), 32, False, None, True)
            target = torch.randn(32, 24, generator=g)
            labels = torch.randint(0, 10, (32,), generator=g)
            opt = torch.optim.SGD(tr.parameters(), lr=0.05, momentum=0.9)
            losses = []
            for _ in range(20):
                loss, _ = distill.total_loss(tr(x), target, labels, args)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss))
            self.assertLess(losses[-1], 0.8 * losses[0], (mode, losses))

    def test_loss_terms(self):
        """joint = full + part matching; --no-joint = full only; labels add CE per stage; the
        mse term equals a hand-computed mean squared error."""
        spec = students.get("mcunet", 32)
        g = torch.Generator().manual_seed(3)
        x = distill.preprocess(torch.randint(0, 256, (4, 32, 32, 3), generator=g,
                                             dtype=torch.uint8).numpy(), 32, False, None, False)
        t = torch.randn(4, 24, generator=g)
        y = torch.randint(0, 10, (4,), generator=g)
        cases = [(["--mode", "microt"], {"full", "part"}),
                 (["--mode", "microt", "--no-joint"], {"full"}),
                 (["--mode", "microt", "--label-weight", "0.5"],
                  {"full", "part", "ce_full", "ce_part"}),
                 (["--mode", "ttl"], {"ce_full"})]
        for extra, want in cases:
            args = distill.parse_args(self._args(*extra))
            tr = distill.Trainer(spec, args.mode, args.joint, 24, args.label_weight).eval()
            with torch.no_grad():
                out = tr(x)
                loss, terms = distill.total_loss(out, t, y, args)
            self.assertEqual(set(terms), want, extra)
            self.assertAlmostEqual(float(loss), sum(terms.values()), places=5)
            if "full" in terms:
                ref = ((out["match_full"] - t) ** 2).sum().item() / t.numel()
                self.assertAlmostEqual(terms["full"], ref, places=5)
            if "ce_full" in terms and args.mode == "microt":
                ref = 0.5 * torch.nn.functional.cross_entropy(out["cls_full"], y).item()
                self.assertAlmostEqual(terms["ce_full"], ref, places=5)

    def test_resume_is_identical(self):
        common = self._args("--epochs", "2", "--mode", "microt", "--augment")
        straight = distill.main(common + ["--run-name", "straight"])
        self.assertIsNone(distill.main(common + ["--run-name", "cut", "--stop-after", "1"]))
        ck = torch.load(os.path.join(self.tmp, "cut", "ckpt.pt"))
        self.assertEqual(ck["epoch"], 1)
        self.assertEqual(ck["seed"], 1)
        self.assertEqual(ck["args"]["epochs"], 2)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cut", "final.pt")))
        resumed = distill.main(common + ["--run-name", "cut"])
        a, b = torch.load(straight), torch.load(resumed)
        self.assertEqual(len(b["curve"]), 2)
        self.assertEqual(a["curve"][0]["loss"], b["curve"][0]["loss"])
        for k in a["state_dict"]:
            self.assertTrue(torch.equal(a["state_dict"][k], b["state_dict"][k]), k)
        for k in ("spec", "mean", "std", "seed", "args", "wall_s"):
            self.assertIn(k, b)
        # a checkpoint made with other settings is refused, not silently mixed
        with self.assertRaises(SystemExit):
            distill.main(self._args("--epochs", "3", "--mode", "microt", "--augment",
                                    "--run-name", "cut"))

    def test_init_continues_a_finished_run(self):
        first = distill.main(self._args("--epochs", "1", "--mode", "microt", "--run-name", "a"))
        # lr 0: a warm restart that cannot move the weights keeps every trained parameter
        cont = distill.main(self._args("--epochs", "1", "--mode", "microt", "--run-name", "b",
                                       "--init", first, "--lr", "0", "--wd", "0"))
        a, b = torch.load(first), torch.load(cont)
        self.assertEqual(b["args"]["epoch_base"], 1)
        for k, v in a["state_dict"].items():
            if not k.endswith(("running_mean", "running_var", "num_batches_tracked")):
                self.assertTrue(torch.equal(v, b["state_dict"][k]), k)
        for k, v in a["heads"].items():
            self.assertTrue(torch.equal(v, b["heads"][k]), k)
        # a run with another student or mode cannot continue it
        with self.assertRaises(SystemExit):
            distill.main(self._args("--epochs", "1", "--mode", "ttl", "--run-name", "c",
                                    "--init", first))

    def test_none_is_the_seeded_init(self):
        path = distill.main(self._args("--mode", "none", "--seed", "7", "--bn-images", "0"))
        rec = torch.load(path)
        torch.manual_seed(7)
        ref = netspec.build(students.get("mcunet", 32)).state_dict()
        for k, v in ref.items():
            self.assertTrue(torch.equal(rec["state_dict"][k], v), k)
        self.assertEqual(rec["seed"], 7)
        self.assertEqual(rec["mean"], list(distill.MEAN))

    def test_none_batchnorm_statistics_come_from_images(self):
        path = distill.main(self._args("--mode", "none", "--seed", "7", "--bn-images", "64",
                                       "--run-name", "none-bn"))
        rec = torch.load(path)
        torch.manual_seed(7)
        net = netspec.build(students.get("mcunet", 32))
        for k, v in net.state_dict().items():
            if k.endswith(".weight") or k.endswith(".bias"):
                self.assertTrue(torch.equal(rec["state_dict"][k], v), k)  # weights untrained
        # the first BatchNorm's statistics are those of its conv on the same 64 images
        images = distill.load_data(distill.parse_args(self._args("--mode", "none", "--seed", "7")), 0)[0]
        pick = np.linspace(0, images.shape[0] - 1, 64).round().astype(np.int64)
        x = distill.preprocess(images[pick], 32, False, None, False)
        first = next(m for m in net.modules() if isinstance(m, torch.nn.Conv2d))
        with torch.no_grad():
            y = first(x)
        bn_key = next(k for k in rec["state_dict"] if k.endswith("running_mean"))
        var_key = bn_key.replace("running_mean", "running_var")
        torch.testing.assert_close(rec["state_dict"][bn_key], y.mean((0, 2, 3)),
                                   rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(rec["state_dict"][var_key], y.var((0, 2, 3)),
                                   rtol=1e-3, atol=1e-5)
        # and the pooled features are no longer vanishing
        net.load_state_dict(rec["state_dict"])
        net.eval()
        with torch.no_grad():
            part, full = net(x)
        self.assertGreater(float(full.abs().mean()), 1e-3)

    def test_torchrun_two_processes(self):
        env = dict(os.environ, MICROT_CACHE=self.tmp)
        cmd = [os.path.join(FACTORY, "run.sh"), "-n", "2", "distill.py", "--smoke", "--fake",
               "--px", "32", "--max-images", "128", "--runs-dir", self.tmp,
               "--run-name", "ddp"]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
        self.assertIn("world 2", r.stdout)
        rec = torch.load(os.path.join(self.tmp, "ddp", "final.pt"))
        self.assertEqual(rec["args"]["smoke"], True)
        self.assertTrue(all(torch.isfinite(v).all() for v in rec["state_dict"].values()
                            if v.is_floating_point()))


if __name__ == "__main__":
    unittest.main()
