"""Every run the requested rows need, on every task, protocol and draw: results.json's "runs".

Per task: few-shot draws (k samples per class from the pool, scored on the fixed test set) and
70/30 splits (one per draw), the same images for every method. Device extractors run once per
replicate (models/manifest.json); the backprop baselines start from every replicate of the
shipped TTL extractor on the protocols in ctx.baseline_protos.
"""
import os

import results_protocol as P
import results_rows as R
import results_runs as X
import tasks as T


def _protocols(ctx, d):
    """[(proto, draw, (train images, labels), (test images, labels))] for one task."""
    out = []
    for k in ctx.k:
        for s in ctx.draws:
            i = T.shots(d["pool"][1], k, s)
            out.append((f"k{k}", s, (d["pool"][0][i], d["pool"][1][i]), d["test"]))
    if ctx.split:
        for s in ctx.split_draws:
            sp = T.split(d, s)
            out.append(("split", s, sp["train"], sp["test"]))
    return out


def _idx(folder, tag, pair):
    return T.write_set(folder, tag, *pair)


def collect(ctx):
    """{'runs': [...], 'tasks': {task: sizes}, 'skipped': {task: why}, 'pending': {row: why},
    'models': {stem: [[tag, file stem, sha]]}, 'teacher': {...}}."""
    res = {"runs": [], "tasks": {}, "skipped": {}, "pending": {}, "models": {}, "teacher": None}
    man = P.manifest()
    stems = R.device_models(ctx.rows)
    reps = {}
    for stem in stems:
        reps[stem] = [(tag, s, path) for tag, s, path in
                      ([("s1", "test-model", X.TEST_MODEL)] if ctx.smoke else P.replicates(stem, man))]
        if reps[stem]:
            res["models"][stem] = [[tag, s, X.sha(path)] for tag, s, path in reps[stem]]
    for row in ctx.rows:
        if R.model(row) and not reps.get(R.model(row)):
            res["pending"][row] = f"models/{R.model(row)}.mtm not shipped"
    for task in ctx.tasks:
        try:
            d = T.load(task)
        except (FileNotFoundError, OSError) as e:
            X.log(f"bench: skip {task}: data not found ({e})")
            res["skipped"][task] = str(e)
            continue
        folder = os.path.join(ctx.cache, "data", task)
        protos = _protocols(ctx, d)
        res["tasks"][task] = {"pool": len(d["pool"][0]), "test": len(d["test"][0]),
                              "split_train": len(T.split(d, 0)["train"][0]) if ctx.split else 0,
                              "split_test": len(T.split(d, 0)["test"][0]) if ctx.split else 0}
        for proto, draw, train, test in protos:
            files = (_idx(folder, f"{proto}-d{draw}-train", train),
                     _idx(folder, "test" if proto != "split" else f"split-d{draw}-test", test))
            base = {"task": task, "proto": proto, "draw": draw, "n_train": int(len(train[1]))}
            for stem in stems:
                if not any(R.source(r) == "device" and R.model(r) == stem for r in ctx.rows):
                    continue
                for tag, _, path in reps[stem]:
                    X.log(f"bench: {task} {proto} draw {draw} {stem} {tag}")
                    r = X.device_run(ctx, path, task, files[0], files[1], draw,
                                     standardize=stem in R.STANDARDIZED, per_class=X.keep_all(train[1]))
                    if r is not None:
                        res["runs"].append(dict(base, source="device", model=stem, rep=tag, **r))
            if "pixels" in ctx.rows or "teacher" in ctx.rows:
                X.log(f"bench: {task} {proto} draw {draw} host rows (pixels, teacher)")
            if "pixels" in ctx.rows:
                a = X.cached(ctx, "host", ["pixels", X.PIXEL_PX, X.sha(files[0][0]), X.sha(files[1][0])],
                             lambda: X.fit_score(X.pixel_features(train[0]), train[1],
                                                 X.pixel_features(test[0]), test[1], max_iter=300))
                if a is not None:
                    res["runs"].append(dict(base, source="pixels", acc=a,
                                            dim=X.PIXEL_PX ** 2 * (3 if train[0].ndim == 4 else 1)))
            if "teacher" in ctx.rows and "teacher" not in res["pending"]:
                _teacher(ctx, res, man, task, d, base, train, test, files)
            for method in R.BASELINE_SOURCES:
                if method not in ctx.rows or method in res["pending"]:
                    continue
                if proto not in ctx.baseline_protos:
                    continue
                stem = R.model(method)
                for tag, _, path in reps[stem][:ctx.baseline_reps]:
                    X.log(f"bench: {task} {proto} draw {draw} {method} from {stem} {tag}")
                    r = X.baseline_run(ctx, method, path, train[0], train[1], test[0], test[1],
                                       draw, R.proto_epochs(proto))
                    if r is not None:
                        res["runs"].append(dict(base, source=method, model=stem, rep=tag, **r))
    return res


def _teacher(ctx, res, man, task, d, base, train, test, files):
    target, px, _ = P.teacher_of(R.model("microt"), man)
    if ctx.smoke or not target:
        res["pending"]["teacher"] = "smoke run" if ctx.smoke else "no teacher in models/manifest.json"
        return
    key = ["teacher", target, px, X.sha(files[0][0]), X.sha(files[1][0])]

    def compute():  # train and test featurized apart: the fixed test set once per task, not per draw
        ftr = X.teacher_features(target, px, f"bench-{task}-{X.sha(files[0][0])}", train[0])
        fte = X.teacher_features(target, px, f"bench-{task}-{X.sha(files[1][0])}", test[0])
        return {"acc": X.fit_score(ftr, train[1], fte, test[1]), "dim": int(ftr.shape[1])}
    try:
        a = X.cached(ctx, "host", key, compute)
    except Exception as ex:  # the teacher needs the npm weights (docs/teacher.md)
        res["pending"]["teacher"] = (f"teacher features unavailable ({ex}); run "
                                     "factory/teacher_import.py (make factory does)")
        return
    if a is None:
        return
    if res["teacher"] is None:
        macs = X.cached(ctx, "host", ["teacher-macs-v2", target, px], lambda: X.teacher_macs(target, px))
        macs = X.teacher_macs(target, px) if macs is None else macs  # --cached-only: seconds
        res["teacher"] = {"target": target, "px": px, "macs": macs, "dim": a["dim"]}
    res["runs"].append(dict(base, source="teacher", acc=a["acc"]))
