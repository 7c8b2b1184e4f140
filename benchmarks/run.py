"""Benchmarks of the book: training efficiency, kNN search, whole-book time and memory.

Run with ``make bench`` (or ``python benchmarks/run.py``). Prints plain-text
tables; nothing here is a pass/fail test. Every number is measured in the run
that prints it, and the ratios (fraction of the machine's matmul peak, time
ratios of kNN variants) are what carries over from one machine to another:
absolute times depend on the machine and on whatever else runs on it.

Sections (``--only``, comma separated):

``train``  epoch time (60,000 MNIST images) of (784,64,784), (784,16,784) and
           the paper's conv AE (timed on ``--conv-images`` and scaled) with
           :func:`aebook.fit`'s settings, on each installed Keras backend (each in
           its own process), as a fraction of the float32 matmul peak measured
           in the same run. ``--record`` writes ``benchmarks/backends.json``,
           the measurement :func:`aebook.config.choose_backend` reads.
``knn``    k-NN (k=7) on raw 784-d pixels vs 8/16 latent features, brute force
           vs a k-d tree, as time ratios (§3.2.1, Tables 1-2).
``book``   wall time per chapter (executed with jupytext + nbclient, as the
           book build does), for one profile, with a cold then a warm model
           cache, and the peak memory of the run (see ``benchmarks/book.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

NOISE_NOTE = ("Note: absolute times depend on the machine and its load (a shared machine gives noisy "
              "numbers);\nthe ratios measured within one run are what to compare.")


def table(title: str, header: list[str], rows: list[list]) -> str:
    """A plain-text table (columns padded, numbers as given)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = [title, line]
    for j, r in enumerate(cells):
        out.append("  ".join(c.rjust(w) if j and i else c.ljust(w) for i, (c, w) in
                             enumerate(zip(r, widths, strict=True))))
        if j == 0:
            out.append(line)
    out.append(line)
    return "\n".join(out)


def machine() -> str:
    """CPU model, cores and GPU (if TensorFlow sees one)."""
    from aebook.machine import hardware

    hw = hardware()
    gpu = ", ".join(hw["gpus"]) or "none"
    return f"{hw['cpu']} | {hw['cores']} cores | GPU: {gpu} | {hw['platform']}"


# ------------------------------------------------------------------ train (per backend)
# Keras fixes its backend at import, so each backend is measured in its own
# process (``run.py --worker BACKEND``), which prints one JSON line.

def _sync(value) -> None:
    import keras

    keras.ops.convert_to_numpy(keras.ops.sum(value))  # waits for the (asynchronous) result


def matmul_gflops(n: int = 2048, seconds: float = 2.0) -> dict:
    """Best float32 GFLOP/s of an n x n matmul in NumPy and in the Keras backend (keras.ops)."""
    import keras

    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    out = {}
    for name, mm in (("numpy", lambda: a @ b), ("backend", None)):
        if mm is None:
            ka, kb = keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b)
            mm = lambda ka=ka, kb=kb: _sync(keras.ops.matmul(ka, kb))  # noqa: E731
        mm()
        best, t_end = float("inf"), time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            mm()
            best = min(best, time.perf_counter() - t0)
        out[name] = 2 * n**3 / best / 1e9
    return out


def train_flops_per_sample(model) -> int:
    """3 x the multiply-adds (x2) of one forward pass: forward + backward (twice the forward)."""
    import keras

    total = 0
    for part in (model.encoder, model.decoder):
        for layer in part.layers:
            if isinstance(layer, keras.layers.Conv2DTranspose):
                k = int(np.prod(layer.kernel.shape))  # kh * kw * c_out * c_in
                total += 2 * k * int(np.prod(layer.input.shape[1:3]))
            elif isinstance(layer, keras.layers.Conv2D):
                k = int(np.prod(layer.kernel.shape))
                total += 2 * k * int(np.prod(layer.output.shape[1:3]))
            elif isinstance(layer, keras.layers.Dense):
                total += 2 * int(np.prod(layer.kernel.shape))
    return 3 * total


def _epoch_seconds(model, x, batch_size: int, epochs: int) -> float:
    """Seconds of the fastest of ``epochs`` epochs run after a first one (which compiles)."""
    import keras

    times: list[float] = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    model.fit(x, x, epochs=epochs + 1, batch_size=batch_size, shuffle=True, verbose=0, callbacks=[Timer()])
    return min(times[1:])


def worker(conv_images: int, dense_epochs: int) -> dict:
    """One backend's numbers (this process's): matmul rates and epoch times with aebook.fit's settings."""
    import aebook

    aebook.set_seed(0)
    import keras

    info = aebook.backend_info()
    x = aebook.load_mnist(flatten=True).x_train  # all 60,000 training images, [0, 1]
    peaks = [matmul_gflops()]
    models = {}
    jobs = [(f"(784,{q},784)", lambda q=q: aebook.dense_autoencoder(784, latent_dim=q), x, 256, dense_epochs)
            for q in (64, 16)]
    if conv_images:
        jobs.append(("paper's conv AE", aebook.conv_autoencoder, x[:conv_images].reshape(-1, 28, 28, 1),
                     256, 1))
    for name, build, data, batch, epochs in jobs:
        aebook.set_seed(0)
        model = build()
        # the settings of aebook.fit: Adam, BCE, XLA, 16 steps per execution
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                      jit_compile=True, steps_per_execution=16)
        sec = _epoch_seconds(model, data, batch, epochs)
        models[name] = {"seconds": sec, "images": len(data), "samples_per_s": len(data) / sec,
                        "flops_per_sample": train_flops_per_sample(model)}
        peaks.append(matmul_gflops(seconds=1.0))  # sample again: a shared machine's load changes
    return {"backend": info["backend"], "version": info[info["backend"]], "device": info["device"],
            "gpus": info["gpus"], "peaks": peaks, "models": models}


def _run_worker(backend: str, conv_images: int, dense_epochs: int) -> dict:
    import json
    import subprocess

    env = dict(os.environ, AEBOOK_BACKEND=backend)
    cmd = [sys.executable, __file__, "--worker", backend, "--conv-images", str(conv_images),
           "--dense-epochs", str(dense_epochs)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"the {backend} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_train(rounds: int = 2, conv_images: int = 1024, dense_epochs: int = 3,
                record: Path | None = None) -> str:
    """Epoch time and fraction of the matmul peak of the dense and conv models on each installed backend.

    Each backend runs in its own process, ``rounds`` times, interleaved with the
    others; the best of each is kept, and the peak is the best matmul rate
    sampled anywhere in the run (on a loaded machine the best is the closest to
    what the code can do). ``record``: also write the result to that JSON file
    (``benchmarks/backends.json`` is what :func:`aebook.config.choose_backend` reads).
    """
    from aebook.backend import available

    best: dict = {}
    peaks: list[float] = []
    info: dict = {}
    for _ in range(rounds):
        for backend in available():
            res = _run_worker(backend, conv_images, dense_epochs)
            info[backend] = res
            peaks += [p for sample in res["peaks"] for p in sample.values()]
            for name, m in res["models"].items():
                key = (name, backend)
                if key not in best or m["samples_per_s"] > best[key]["samples_per_s"]:
                    best[key] = m
    peak = max(peaks)
    rows, families = [], {}
    order = ["(784,64,784)", "(784,16,784)", "paper's conv AE"]
    for (name, backend), m in sorted(best.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        epoch = 60_000 / m["samples_per_s"]
        gflops = m["samples_per_s"] * m["flops_per_sample"] / 1e9
        rows.append([name, f"{backend} {info[backend]['version']}", f"{m['images']:,}", f"{epoch:.2f}",
                     f"{m['samples_per_s']:,.0f}", f"{m['flops_per_sample'] / 1e6:.1f}", f"{gflops:.1f}",
                     f"{100 * gflops / peak:.1f} %"])
        # a family's time: one epoch of each of its models (the book trains dense AEs of many sizes)
        family = "conv" if name.startswith("paper") else "dense"
        fam = families.setdefault(family, {"models": [], "epoch_seconds": {}, "fraction_of_peak": {}})
        if name not in fam["models"]:
            fam["models"].append(name)
        fam["epoch_seconds"][backend] = round(fam["epoch_seconds"].get(backend, 0.0) + epoch, 3)
        fam["fraction_of_peak"][f"{name} {backend}"] = round(gflops / peak, 3)
    device = "gpu" if any(i["gpus"] for i in info.values()) else "cpu"
    load = os.getloadavg()[0]
    text = [f"matmul peak (float32, 2048x2048): {peak:.1f} GFLOP/s, the best of {len(peaks)} samplings "
            f"(NumPy and each backend's keras.ops.matmul) through the run; lowest {min(peaks):.1f}; "
            f"load average {load:.1f} on {os.cpu_count()} cores; device {device.upper()}",
            table(f"(a) Training, aebook.fit's settings (Adam, BCE, XLA, 16 steps/execution, batch 256), "
                  f"best of {rounds} interleaved rounds; epoch = 60,000 images (the conv AE is timed on "
                  f"fewer and scaled)",
                  ["model", "backend", "timed on", "epoch s", "samples/s", "MFLOP/sample (train)",
                   "GFLOP/s", "of peak"], rows)]
    if record is not None:
        import json

        data = {"measured": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
                "load_average": round(load, 1), "peak_gflops": round(peak, 1), "rounds": rounds,
                "note": "written by benchmarks/run.py --record; aebook.config.choose_backend reads "
                        "epoch_seconds: one epoch of 60,000 images of each of the family's models",
                device: families}
        Path(record).write_text(json.dumps(data, indent=1) + "\n")
        text.append(f"recorded in {record}")
    return "\n\n".join(text)


# ---------------------------------------------------------------------------- knn
def bench_knn(profile: str, n_test: int) -> str:
    """kNN (k=7) time ratios: raw 784-d vs latent 8/16-d, brute force vs k-d tree (one run)."""
    import aebook
    from aebook.experiments import knn_benchmark

    ds = aebook.load_profile_data("mnist", profile)
    feats = {"raw 784": (ds.x_train, ds.x_test)}
    for q in (8, 16):
        tr = aebook.paper_autoencoder(ds, q, verbose=False)
        enc = tr.model.encoder
        feats[f"latent {q}"] = (np.asarray(enc.predict(ds.x_train, batch_size=2048, verbose=0)),
                                np.asarray(enc.predict(ds.x_test, batch_size=2048, verbose=0)))
    rows, base = [], None
    for name, (xtr, xte) in feats.items():
        for algo in ("brute", "kd_tree"):
            res = knn_benchmark(xtr, ds.y_train, xte, ds.y_test, algorithm=algo, n_queries=n_test)
            sec = res.fit_seconds + res.predict_seconds
            base = sec if base is None else base
            rows.append([name, res.method, f"{100 * res.accuracy:.1f} %", f"{res.fit_seconds:.3f}",
                         f"{res.predict_seconds:.3f}", f"{sec / base:.3f}"])
    return table(f"(b) kNN, k=7, MNIST: {len(ds.x_train):,} training points, {n_test:,} queries "
                 f"(profile {profile}); time = fit + predict (aebook.knn_benchmark)",
                 ["features", "search", "accuracy", "fit s", "predict s", "time / raw brute"], rows)


# --------------------------------------------------------------------------- book
def bench_book(profile: str, cache_dir: str | None, warm_only: bool) -> str:
    import tempfile

    from book import run_book

    cache = Path(cache_dir) if cache_dir else Path(tempfile.mkdtemp(prefix="aebook-bench-cache-"))
    runs = [("warm", run_book(profile, cache))] if warm_only else [
        ("cold", run_book(profile, cache)), ("warm", run_book(profile, cache))]
    names = list(runs[0][1]["chapters"])
    rows = [[n] + [f"{r['chapters'][n]['seconds']:.1f}" + ("" if r["chapters"][n]["ok"] else " FAILED")
                   for _, r in runs] for n in names]
    rows.append(["TOTAL"] + [f"{r['total_seconds']:.1f}" for _, r in runs])
    rows.append(["peak memory (MiB)"] + [f"{r['peak_rss_mib']:.0f}" for _, r in runs])
    return table(f"(c, d) Whole book, profile {profile}, model cache {cache} (seconds per chapter)",
                 ["chapter"] + [k for k, _ in runs], rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", default="train,knn,book", help="sections: train,knn,book (default: all)")
    p.add_argument("--profile", default="quick", help="profile for the knn and book sections")
    p.add_argument("--knn-queries", type=int, default=500, help="test points searched in the knn section")
    p.add_argument("--cache-dir", default=None,
                   help="model cache for the book section (default: a new empty folder -> cold then warm)")
    p.add_argument("--warm-only", action="store_true", help="book section: one run with the given cache")
    p.add_argument("--rounds", type=int, default=2, help="train section: interleaved rounds (best kept)")
    p.add_argument("--conv-images", type=int, default=1024,
                   help="train section: images the conv AE is timed on (0: skip it)")
    p.add_argument("--dense-epochs", type=int, default=3, help="train section: timed epochs per dense model")
    p.add_argument("--record", nargs="?", const=str(Path(__file__).with_name("backends.json")), default=None,
                   help="train section: write the result where the backend choice reads it "
                        "(default benchmarks/backends.json)")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)  # one backend, in its own process
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.worker:
        import json

        print(json.dumps(worker(args.conv_images, args.dense_epochs)), flush=True)
        return 0
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = sections - {"train", "knn", "book"}
    if unknown:
        p.error(f"unknown section(s) {sorted(unknown)}: choose from train, knn, book")
    print(f"machine: {machine()}\npython {platform.python_version()}, "
          f"started {time.strftime('%Y-%m-%d %H:%M:%S')}\n{NOISE_NOTE}\n", flush=True)
    if "train" in sections:
        print(bench_train(args.rounds, args.conv_images, args.dense_epochs,
                          Path(args.record) if args.record else None), "\n", flush=True)
    if "knn" in sections:
        print(bench_knn(args.profile, args.knn_queries), "\n", flush=True)
    if "book" in sections:
        print(bench_book(args.profile, args.cache_dir, args.warm_only), "\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
