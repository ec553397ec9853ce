"""Checks of the results pipeline's arithmetic that could fail, against independent references:
the paired interval against scipy's paired t-test, the sample std against `statistics`, the
verdict rules on made-up cells, the energy formulas against hand computations, the manifest's
replicates and selected_on. No data, no runs (a second).
  /usr/bin/python3 -m unittest bench/test_results.py
"""
import json
import os
import statistics
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))  # the factory package
import results_claims as C  # noqa: E402
import results_energy as E  # noqa: E402
import results_protocol as P  # noqa: E402
import results_stats as S  # noqa: E402


def device_run(draw, acc, rep="s1", model="mcunet-microt-64", acc_part=None):
    return {"task": "fashion", "proto": "k10", "draw": draw, "source": "device", "model": model,
            "rep": rep, "eval": {"acc": acc, "acc_full": acc, "acc_part": acc if acc_part is None else acc_part,
                                 "exit": 50.0}}


def results(runs):
    return {"runs": runs}


class Noise(unittest.TestCase):
    def test_sample_std_and_seed_range(self):
        runs = [device_run(d, a) for d, a in enumerate([60.0, 62.5, 61.0, 65.0, 59.5])]
        runs += [device_run(d, a, rep="s2") for d, a in enumerate([58.0, 60.5, 59.0, 63.0, 57.5])]
        c = S.cell(results(runs), "microt", "fashion", "k10")
        per_draw = [59.0, 61.5, 60.0, 64.0, 58.5]           # mean over the two seeds
        self.assertAlmostEqual(c["mean"], statistics.mean(per_draw))
        self.assertAlmostEqual(c["sd"], statistics.stdev(per_draw))  # ddof 1
        self.assertEqual(c["n"], 5)
        self.assertEqual(c["range"], (statistics.mean([58.0, 60.5, 59.0, 63.0, 57.5]),
                                      statistics.mean([60.0, 62.5, 61.0, 65.0, 59.5])))

    def test_paired_interval_matches_scipy_ttest_rel(self):
        from scipy.stats import ttest_rel
        a = [61.0, 63.5, 60.0, 66.0, 62.0]
        b = [60.2, 62.0, 60.1, 64.0, 61.9]
        runs = [device_run(d, x, acc_part=y) for d, (x, y) in enumerate(zip(a, b))]
        d = S.paired(results(runs), "microt", "microt-part", "fashion", "k10")
        p = ttest_rel(a, b).pvalue
        self.assertEqual(d["resolved"], p < 0.05)
        self.assertAlmostEqual(d["mean"], statistics.mean(x - y for x, y in zip(a, b)))
        # the interval's edge is where the test's p crosses 0.05: shifting b by it gives p = 0.05
        shifted = ttest_rel(a, [y + d["ci"][0] for y in b]).pvalue
        self.assertAlmostEqual(shifted, 0.05, places=6)

    def test_seeds_that_disagree_leave_a_difference_unresolved(self):
        runs = []
        for d in range(5):
            runs.append(device_run(d, 62.0 + d * 0.01, rep="s1", acc_part=60.0))   # s1: +2
            runs.append(device_run(d, 59.0 + d * 0.01, rep="s2", acc_part=60.0))   # s2: -1
        d = S.paired(results(runs), "microt", "microt-part", "fashion", "k10")
        self.assertLess(d["ci"][1] - d["ci"][0], 0.1)         # the draws agree closely...
        self.assertFalse(d["seeds_agree"])
        self.assertFalse(d["resolved"])                       # ...but the seeds do not


class Verdicts(unittest.TestCase):
    def cell(self, mean, resolved):
        return {"mean": mean, "resolved": resolved}

    def test_gain_rules(self):
        v = C.gain_verdict
        self.assertEqual(v([self.cell(7, True), self.cell(9, True)], 5.91), "holds")
        self.assertEqual(v([self.cell(3, True), self.cell(9, True)], 5.91), "holds, smaller than the paper's")
        self.assertEqual(v([self.cell(3, False), self.cell(-1, False)], 5.91), "not resolved")
        self.assertEqual(v([self.cell(-3, True), self.cell(1, False)], 5.91), "does not hold")
        self.assertTrue(v([self.cell(3, True), self.cell(-2, True)], 0).startswith("mixed: 1 resolved gains"))
        self.assertEqual(v([None], 0), "pending")


class ReportCells(unittest.TestCase):
    """A claim is judged on report cells only: a task its rows were selected on is left out."""

    def results(self, sel_ttl, models=None):
        runs = []
        for task, gain in (("fashion", 3.0), ("digits", -4.0)):
            for d in range(5):
                for rep in ("s1", "s2"):
                    r = device_run(d, 70.0 + gain + 0.1 * d, rep=rep)
                    runs.append(dict(r, task=task))
                    runs.append(dict(device_run(d, 70.0 - 0.05 * d, rep=rep, model="mcunet-ttl-64"), task=task))
        return {"runs": runs, "protocol": {"tasks": ["fashion", "digits"], "k": [10], "split": False,
                                           "rows": ["microt", "ttl"], "draws": list(range(5))},
                "tasks": {"fashion": {}, "digits": {}},
                "selected_on": {"microt": ["sel-cifar"], "ttl": sel_ttl},
                "models": models or {"mcunet-microt-64": [["s1"], ["s2"]], "mcunet-ttl-64": [["s1"], ["s2"]]}}

    def test_every_report_cell_judged(self):
        c = C.gain_claim(self.results(["sel-cifar"]), "microt", "ttl")
        self.assertTrue(c["verdict"].startswith("mixed: 1 resolved gains, 1 resolved losses"), c)
        self.assertEqual(c["excluded"], [])

    def test_selected_task_left_out(self):
        c = C.gain_claim(self.results(["digits"]), "microt", "ttl")       # the loss is on digits
        self.assertEqual(c["verdict"], "holds, smaller than the paper's")   # fashion alone: +3 < 5.91
        self.assertEqual(c["excluded"], ["digits"])
        self.assertIn(C.MARK + " not judged on digits (ttl selected on it)", c["ours"])

    def test_no_report_cell_is_not_judged(self):
        c = C.gain_claim(self.results(["fashion-mnist", "digits"]), "microt", "ttl")
        self.assertEqual(c["verdict"], "not judged: ttl selected on digits, fashion-mnist")
        c = C.gain_claim(self.results([P.ANY]), "microt", "ttl")          # no selected_on: any task
        self.assertTrue(c["verdict"].startswith("not judged"), c)

    def test_single_seed_is_said(self):
        J = self.results(["sel-cifar"], {"mcunet-microt-64": [["s1"], ["s2"]], "mcunet-ttl-64": [["s1"]]})
        self.assertIn("1 training seed of mcunet-ttl-64", C.gain_claim(J, "microt", "ttl")["verdict"])


class Energy(unittest.TestCase):
    CYC = {"input": 1000, "part": 600000, "rest": 400000, "full": 1000000, "extract": 1001000,
           "head_train_a": 5000000, "head_train_b": 8000000, "calibrate": 20000000, "head_a": 2000,
           "head_b": 3000, "classes": 10, "per_class": 10, "iters": [50, 80]}
    L4R5 = {"mhz": 120.0, "mw": 43.56}

    def test_inference_by_hand(self):
        self.assertEqual(E.inference_cycles(self.CYC, "full"), 1000 + 600000 + 400000 + 3000)
        self.assertEqual(E.inference_cycles(self.CYC, "part"), 1000 + 600000 + 2000)
        self.assertEqual(E.inference_cycles(self.CYC, "stage", 0.25), 603000 + 0.75 * 403000)
        # 1,004,000 cycles at 120 MHz = 8,366.67 us; x 43.56 mW = 364.45 uJ (docs/energy.md)
        self.assertAlmostEqual(E.uj(1004000, self.L4R5), 364.452, places=3)

    def test_personalization_with_real_iterations(self):
        p = {"n_train": 100, "iters_a": 200, "iters_b": 40, "calib_iters": None}
        full, _ = E.personalization_cycles(self.CYC, "full", p)
        self.assertEqual(full, 100 * 1001000 + 40 * 100000)          # 8 M cycles / 80 iterations
        part, _ = E.personalization_cycles(self.CYC, "part", p)
        self.assertEqual(part, 100 * 601000 + 200 * 100000)          # no rest, head A only
        stage, note = E.personalization_cycles(self.CYC, "stage", p)
        self.assertEqual(stage, 100 * 1001000 + 200 * 100000 + 40 * 100000 + 20000000 * 200 / 50)
        self.assertIn("scaled", note)
        p["calib_iters"] = [(30, 80)] * 5                             # 5 folds of 80 samples
        stage, note = E.personalization_cycles(self.CYC, "stage", p)
        self.assertEqual(stage, 100 * 1001000 + 200 * 100000 + 40 * 100000 + 5 * 30 * 100000 * 0.8)
        self.assertEqual(E.personalization_cycles(self.CYC, "full", dict(p, n_train=50))[0], None)

    def test_personalization_concat_head_and_reservoir(self):
        # head B on part (24) + full (32) features: 56/32 of the cycle file's full-only head B;
        # 130 samples given, 100 kept: 130 extractions, training on the 100
        p = {"n_train": 100, "offered": 130, "iters_a": 200, "iters_b": 40, "dim_b": 56,
             "full_dim": 32, "calib_iters": [(25, 80.0)]}
        full, _ = E.personalization_cycles(self.CYC, "full", p)
        self.assertAlmostEqual(full, 130 * 1001000 + 40 * 100000 * 56 / 32)
        stage, note = E.personalization_cycles(self.CYC, "stage", p)
        self.assertAlmostEqual(stage, 130 * 1001000 + 200 * 100000 + 40 * 100000 * 56 / 32
                               + 25 * 100000 * 0.8)
        self.assertEqual(note, "real iterations")

    def test_baseline_training(self):
        run = {"step_macs_per_sample": 14e6, "n_train": 100, "extractor_macs": 5e6,
               "fwd_macs_per_sample": 6e6 + 1600, "head_macs": 1600}
        # (600,000 + 400,000) cycles over 5 M MACs = 0.2 cycles/MAC
        self.assertAlmostEqual(E.baseline_train_cycles(self.CYC, run, 3), 14e6 * 100 * 3 * 0.2)
        self.assertAlmostEqual(E.baseline_scale(run), 1.2)


class Parse(unittest.TestCase):
    # `microt personalize --json` of tests/data/test-model.mtm on 100 Fashion-MNIST samples
    # (trimmed to the keys the bench reads)
    OUT = json.dumps({
        "samples": {"selected": 100, "offered": 100, "kept": 100, "per_class_limit": 298},
        "features": {"part": 24, "full": 32, "cache_format": "s8"},
        "heads": [{"head": "A", "input": "part", "dim": 24, "iterations": 12, "converged": True,
                   "train_accuracy": 71},
                  {"head": "B", "input": "part+full", "dim": 56, "iterations": 15, "converged": True,
                   "train_accuracy": 100}],
        "calibration": {"ratio": 0.5, "tau": 0.311474442, "folds": 5, "fold_max_iter": 5,
                        "iterations": 25},
        "sram": {"budget": 262144, "heads": 3920, "names": 160, "cache": 220520, "arena": 9772,
                 "train_scratch": 21020, "calib_scratch": 37256, "work": 37256, "total": 261856}})

    def test_personalize_json(self):
        import results_runs as X
        p = X.parse_personalize(self.OUT)
        self.assertEqual((p["iters_a"], p["iters_b"], p["n_train"], p["sram"]), (12, 15, 100, 261856))
        self.assertEqual(p["calib_iters"], [(25, 80.0)])             # 5 folds on 4/5 of the samples
        self.assertEqual((p["dim_b"], p["full_dim"]), (56, 32))
        self.assertEqual(p["sram"], sum(json.loads(self.OUT)["sram"][k] for k in ("heads", "names", "cache", "work")))
        with self.assertRaises(ValueError):
            X.parse_personalize("train accuracy part 71.00 %")      # the text report: refused

    def test_keep_all_samples(self):
        import results_runs as X
        import tasks as T
        self.assertEqual(X.keep_all([0, 1, 1, 2, 2, 2, 1]), 3)
        d = {"split_pool": (np.zeros((5000, 2, 2), np.uint8), np.repeat(np.arange(10), 500))}
        self.assertEqual(X.keep_all(T.split(d, 0)["train"][1]), 350)  # 70/30: 350 per class


class Protocol(unittest.TestCase):
    def test_selected_on_and_replicates(self):
        self.assertEqual(P.selected_on({}), [P.ANY])
        self.assertTrue(P.is_selected([P.ANY], "digits"))
        self.assertFalse(P.is_selected(["fashion-mnist"], "digits"))
        with tempfile.TemporaryDirectory() as d:
            for stem in ("a-64", "a-64-s2", "a-64-s3", "b-64"):
                open(os.path.join(d, stem + ".mtm"), "wb").close()
            man = {"a-64": {"replicates": ["a-64-s2", "missing-s9"]},
                   "a-64-s3": {"replicate_of": "a-64", "seed": 3}, "b-64": {}}
            got = P.replicates("a-64", man, d)
            self.assertEqual([(t, s) for t, s, _ in got], [("s1", "a-64"), ("s2", "a-64-s2"), ("s3", "a-64-s3")])
            self.assertEqual([s for _, s, _ in P.replicates("b-64", man, d)], ["b-64"])
            self.assertEqual(P.replicates("none-64", man, d), [])
            # a -s<N> file no entry names is a replicate too; selected_on is the union
            open(os.path.join(d, "b-64-s2.mtm"), "wb").close()
            self.assertEqual([(t, s) for t, s, _ in P.replicates("b-64", man, d)], [("s1", "b-64"), ("s2", "b-64-s2")])
            for stem in ("c-64", "c-64-s2"):
                open(os.path.join(d, stem + ".mtm"), "wb").close()
            man2 = {"c-64": {"selected_on": ["sel-cifar"]},
                    "c-64-s2": {"selected_on": ["sel-cifar", "digits"], "replicate_of": "c-64"}}
            self.assertEqual(P.selected_on_all("c-64", man2, d), ["digits", "sel-cifar"])
            self.assertEqual(P.selected_on_all("a-64", man2, d), [P.ANY])  # a-64's files: no entries
            self.assertEqual(P.selected_on_all("b-64", {"b-64": {"selected_on": []}}, d), [P.ANY])
            json.dumps(man)


class TaskFiles(unittest.TestCase):
    """bench/tasks.py's IDX sets and bench/personalization.py's use of them."""

    def test_write_set_rewrites_changed_data(self):
        import tasks as T
        with tempfile.TemporaryDirectory() as d:
            x = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
            xi, yi = T.write_set(d, "t", x, np.array([0, 1]))
            self.assertEqual(T.read_idx(xi).tolist(), x.tolist())
            # the same tag with other images must not return the stale file
            xi, yi = T.write_set(d, "t", x + 1, np.array([1, 0]))
            self.assertEqual(T.read_idx(xi).tolist(), (x + 1).tolist())
            self.assertEqual(T.read_idx(yi).tolist(), [1, 0])

    def test_personalization_sets_are_the_first_split(self):
        import personalization as PB
        import tasks as T
        rng = np.random.default_rng(0)
        fake = {"pool": (rng.integers(0, 255, (20, 4, 4), np.uint8), np.repeat(np.arange(2), 10)),
                "test": (rng.integers(0, 255, (6, 4, 4), np.uint8), np.repeat(np.arange(2), 3)),
                "split_pool": (rng.integers(0, 255, (20, 4, 4), np.uint8),
                               np.repeat(np.arange(2), 10))}
        with tempfile.TemporaryDirectory() as d:
            ctx = type("Ctx", (), {"cifar": None, "cache": d})()
            load, names = T.load, dict(T.NAMES)
            T.load, T.NAMES["fake"] = (lambda name, cifar=None: fake), ["a", "b"]
            try:
                out = PB.task_data(ctx, "fake")
            finally:
                T.load = load
                T.NAMES.clear()
                T.NAMES.update(names)
            want = T.split(fake, 0)
            self.assertEqual(T.read_idx(out["split_train"][0]).tolist(), want["train"][0].tolist())
            self.assertEqual(T.read_idx(out["split_test"][1]).tolist(), want["test"][1].tolist())
            self.assertEqual(len(T.read_idx(out["split_train"][1])), 14)  # 70 % of 20


if __name__ == "__main__":
    unittest.main()
