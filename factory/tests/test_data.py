"""Checks of the factory's data plumbing that could fail: the Qt resource reader refuses
malformed files, selection draws are disjoint and reproducible, the corpus excludes every
selection image, views are deterministic and teacher/student consistent, and the per-view
targets resume after a cut."""
import os
import struct
import tempfile
import unittest
import zlib

import numpy as np
import torch

from factory import qt_rcc, selection, sources, teacher_study, views


def _rcc(files):
    """A version-2 .rcc with one directory holding `files` ({name: (bytes, compress)})."""
    names, data, tree = b"", b"", []
    name_off = {}
    for n in ["root"] + list(files):
        name_off[n] = len(names)
        enc = n.encode("utf-16-be")
        names += struct.pack(">HI", len(n), 0) + enc
    # node 0: root dir with len(files) children starting at 1
    tree.append(struct.pack(">IHII", name_off["root"], 2, len(files), 1) + b"\0" * 8)
    for n, (raw, compress) in files.items():
        payload = struct.pack(">I", len(raw)) + zlib.compress(raw) if compress else raw
        off = len(data)
        data += struct.pack(">I", len(payload)) + payload
        tree.append(struct.pack(">IHHHI", name_off[n], 1 if compress else 0, 0, 0, off) + b"\0" * 8)
    header_len = 20
    tree_b = b"".join(tree)
    tree_off, data_off = header_len, header_len + len(tree_b)
    names_off = data_off + len(data)
    return b"qres" + struct.pack(">IIII", 2, tree_off, data_off, names_off) + tree_b + data + names


class QtResource(unittest.TestCase):
    def test_reads_plain_and_zlib_files(self):
        blob = _rcc({"a.txt": (b"hello", False), "b.bin": (b"x" * 1000, True)})
        with tempfile.NamedTemporaryFile(suffix=".rcc") as f:
            f.write(blob)
            f.flush()
            got = dict(qt_rcc.read_rcc(f.name))
        self.assertEqual(got, {"a.txt": b"hello", "b.bin": b"x" * 1000})

    def test_refuses_malformed(self):
        good = _rcc({"a.txt": (b"hello", False)})
        bad = [b"qrez" + good[4:], good[:30], good[:4] + struct.pack(">I", 9) + good[8:],
               good[:-3]]
        for b in bad:
            with tempfile.NamedTemporaryFile(suffix=".rcc") as f:
                f.write(b)
                f.flush()
                with self.assertRaises(ValueError, msg=b[:12]):
                    qt_rcc.read_rcc(f.name)


class Selection(unittest.TestCase):
    def test_draws_disjoint_reproducible_and_k_per_class(self):
        labels = np.repeat(np.arange(5), [12, 30, 15, 40, 11])
        a = selection.draws(labels, 5, 20, 4)
        b = selection.draws(labels, 5, 20, 4)
        for (tr, te), (tr2, te2) in zip(a, b):
            np.testing.assert_array_equal(tr, tr2)
            np.testing.assert_array_equal(te, te2)
            self.assertFalse(set(tr) & set(te))
            self.assertTrue(all((labels[tr] == c).sum() == 5 for c in range(5)))
            self.assertTrue(all((labels[te] == c).sum() == min(20, (labels == c).sum() - 5) for c in range(5)))
        self.assertFalse(np.array_equal(a[0][0], a[1][0]))

    def test_cifar_holdout_is_disjoint_from_training_rows(self):
        from factory import cifar
        labels = np.repeat(np.arange(10), 600)
        h, t = cifar.holdout_indices(labels), cifar.training_indices(labels)
        self.assertEqual(len(h), 5000)
        self.assertFalse(set(h) & set(t))
        self.assertEqual(len(h) + len(t), len(labels))

    @unittest.skipUnless(os.path.isdir(sources.OPENCLIPART), "Debian openclipart-png not installed")
    def test_corpus_clipart_excludes_every_selection_folder(self):
        from factory import corpus
        rest = {os.path.relpath(f, sources.OPENCLIPART) for f in corpus.clipart_rest()}
        for spec in selection.TASKS.values():
            for entries in spec["classes"].values():
                for src, arg in entries:
                    if src == "clipart":
                        used = {os.path.relpath(f, sources.OPENCLIPART) for f in sources.openclipart_files(arg)}
                        self.assertFalse(used & rest, arg)


class _TinyCorpus:
    def __init__(self, n_small=6, n_large=5, seed=0):
        g = np.random.default_rng(seed)
        self.small = g.integers(0, 256, (n_small, 32, 32, 3), dtype=np.uint8)
        self.large = g.integers(0, 256, (n_large, 128, 128, 3), dtype=np.uint8)
        self.n_small = n_small

    def __len__(self):
        return self.n_small + len(self.large)


class TeacherInput(unittest.TestCase):
    def test_grey_images_are_seen_as_rgb(self):
        # report tasks (Fashion-MNIST, digits) are grey [N, H, W]: the teacher sees R = G = B
        grey = np.random.default_rng(0).integers(0, 256, (3, 20, 20), dtype=np.uint8)
        rgb = np.repeat(grey[..., None], 3, axis=3)
        want = teacher_study.view(rgb, 64, 160)
        self.assertEqual(tuple(want.shape), (3, 3, 160, 160))
        torch.testing.assert_close(teacher_study.view(grey, 64, 160), want, atol=0, rtol=0)
        torch.testing.assert_close(teacher_study.view(grey[..., None], 64, 160), want, atol=0, rtol=0)


class Views(unittest.TestCase):
    def test_identity_view_is_the_resized_image(self):
        c = _TinyCorpus()
        p = views.params(len(c), -1, 1)
        x = views.render(c, np.arange(len(c)), p, 32)
        want = torch.from_numpy(c.small.astype(np.float32) / 255).permute(0, 3, 1, 2)
        torch.testing.assert_close(x[:c.n_small], want, atol=1e-5, rtol=0)
        # 128 -> 32: every output pixel is the mean of a 4x4 block (area sampling)
        big = torch.from_numpy(c.large.astype(np.float32) / 255).permute(0, 3, 1, 2)
        torch.testing.assert_close(x[c.n_small:], torch.nn.functional.avg_pool2d(big, 4), atol=1e-4, rtol=0)

    def test_views_deterministic_batch_independent_and_epoch_dependent(self):
        c = _TinyCorpus()
        p = views.params(len(c), 3, 7)
        whole = views.render(c, np.arange(len(c)), p, 24)
        part = views.render(c, np.array([9, 2, 5]), p, 24)
        torch.testing.assert_close(part, whole[[9, 2, 5]])
        self.assertFalse(np.array_equal(views.params(len(c), 4, 7)["box"], p["box"]))
        self.assertTrue(np.array_equal(views.params(len(c), 3, 7)["box"], p["box"]))

    def test_mixup_blends_the_partner_view(self):
        c = _TinyCorpus()
        p = views.params(len(c), 0, 1, mix_p=1.0)
        i = 4
        x = views.render(c, np.array([i]), p, 16)[0]
        a = views._crop(c, np.array([i]), p["box"][[i]], p["flip"][[i]], 16)[0]
        b = views._crop(c, p["partner"][[i]], p["pbox"][[i]], p["pflip"][[i]], 16)[0]
        lam = float(p["lam"][i])
        torch.testing.assert_close(x, lam * a + (1 - lam) * b)


if __name__ == "__main__":
    unittest.main()
