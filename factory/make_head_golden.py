#!/usr/bin/env python3
"""Writes tests/data/head-features.bin: a fixed feature set for the C head-training test,
with scikit-learn's LogisticRegression accuracy and predictions on it as the independent
reference (issue 5: the C head must come within 0.5 point of it).

The features imitate pooled ReLU features of a CNN: 10 classes, each a point in a
low-dimensional latent space, mapped through a fixed random linear layer and a ReLU, plus
per-sample noise, so the classes overlap (sklearn reaches ~80%, not 100%). Every vector is
stored as int8 with a per-sample scale (x = scale * q, scale = max(x)/127), the way a device
caches them, and both sklearn and the C test train on exactly those dequantized float32
values.

File layout (little-endian):
  char[4] "MTHF"; u32 version = 1; u32 n_train; u32 n_test; u32 dim; u32 n_classes; u32 seed;
  f32 sklearn test accuracy (%) on raw features; f32 the same with StandardScaler;
  u32 n_iter sklearn used (raw); u32 n_iter (standardized);
  then n_train + n_test records: u16 label, u16 0, f32 scale, i8[dim];
  then u8 sklearn predicted label per test sample (raw), then the same (standardized).
The sklearn fit: LogisticRegression(C=1, solver='lbfgs', multinomial, max_iter=10000,
tol=1e-8), i.e. run to convergence of the same objective the C trainer minimises.
"""
import argparse
import struct

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def make_features(rng, n_per_class, means, proj, noise):
    labels = np.repeat(np.arange(means.shape[0]), n_per_class)
    latent = means[labels] + noise * rng.standard_normal((labels.size, means.shape[1]))
    x = np.maximum(latent @ proj, 0.0) + 0.05 * np.abs(rng.standard_normal((labels.size, proj.shape[1])))
    return x.astype(np.float32), labels


def quantize(x):
    scale = (x.max(axis=1) / 127.0).astype(np.float32)
    scale[scale == 0] = np.float32(1.0)
    q = np.clip(np.round(x / scale[:, None]), -128, 127).astype(np.int8)
    return q, scale


def dequantize(q, scale):
    return (scale[:, None] * q.astype(np.float32)).astype(np.float32)  # float32, as the C test


def fit(x_train, y_train, x_test, y_test):
    clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=10000, tol=1e-8)
    clf.fit(x_train, y_train)
    pred = clf.predict(x_test)
    return 100.0 * float(np.mean(pred == y_test)), pred.astype(np.uint8), int(np.max(clf.n_iter_))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--dim", type=int, default=40)
    ap.add_argument("--latent", type=int, default=12)
    ap.add_argument("--train-per-class", type=int, default=20)
    ap.add_argument("--test-per-class", type=int, default=100)
    ap.add_argument("--noise", type=float, default=1.1)
    ap.add_argument("-o", "--out", default="tests/data/head-features.bin")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    means = rng.standard_normal((args.classes, args.latent))
    proj = rng.standard_normal((args.latent, args.dim)) / np.sqrt(args.latent)
    xtr, ytr = make_features(rng, args.train_per_class, means, proj, args.noise)
    xte, yte = make_features(rng, args.test_per_class, means, proj, args.noise)
    qtr, str_ = quantize(xtr)
    qte, ste = quantize(xte)
    ftr, fte = dequantize(qtr, str_), dequantize(qte, ste)

    acc_raw, pred_raw, it_raw = fit(ftr, ytr, fte, yte)
    sc = StandardScaler().fit(ftr)
    acc_std, pred_std, it_std = fit(sc.transform(ftr), ytr, sc.transform(fte), yte)

    out = bytearray(b"MTHF")
    out += struct.pack("<6I", 1, len(ytr), len(yte), args.dim, args.classes, args.seed)
    out += struct.pack("<2f2I", acc_raw, acc_std, it_raw, it_std)
    for q, s, y in zip(np.concatenate([qtr, qte]), np.concatenate([str_, ste]),
                       np.concatenate([ytr, yte])):
        out += struct.pack("<HHf", int(y), 0, float(s)) + q.tobytes()
    out += pred_raw.tobytes() + pred_std.tobytes()
    with open(args.out, "wb") as f:
        f.write(out)
    print("wrote %s: %d bytes, seed %d, numpy %s, scikit-learn %s" %
          (args.out, len(out), args.seed, np.__version__, sklearn.__version__))
    print("sklearn test accuracy: raw %.2f%% (%d iterations), standardized %.2f%% (%d)" %
          (acc_raw, it_raw, acc_std, it_std))


if __name__ == "__main__":
    main()
