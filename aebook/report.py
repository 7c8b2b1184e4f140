"""The reproduction report: the paper's headline numbers beside the book's.

:func:`run_report` runs the headline experiments of :mod:`aebook.experiments`
(the functions the chapters call, so trained models come from the shared
model cache) for one profile and one or more seeds, and returns a plain
dictionary: for every headline number our value (mean and spread over the
seeds for the numbers that depend on training), the paper's value, a band
``[low, high]`` and whether ours lies in it; plus the profile, the seeds, the
machine, the package versions and the wall time of each experiment.
:func:`to_markdown` renders it as a table, :func:`validate_results` checks it
against :data:`RESULTS_SCHEMA`, :func:`write_report` writes ``results.json``
and ``results.md``. ``python -m aebook reproduce`` is a thin command line over
these functions.

The bands say what "reproduces the paper" means for each number: the paper's
value within a stated tolerance where it gives one, and the direction of its
claim (ours smaller, larger, ranked first) where it gives none.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import config

__all__ = [
    "HEADLINES",
    "RESULTS_SCHEMA",
    "Headline",
    "check_out_dir",
    "experiment_names",
    "hardware",
    "package_versions",
    "run_report",
    "table_rows",
    "to_html",
    "to_markdown",
    "validate_results",
    "write_report",
]

INF = math.inf


@dataclasses.dataclass(frozen=True)
class Headline:
    """One headline number: where it comes from, the paper's value and the band ours must lie in."""

    key: str            # key in the experiment's result dict
    label: str          # what it is, in words
    paper: float | None  # the paper's value (None: the paper states a claim, not a number)
    paper_text: str     # the paper's value or claim as the paper puts it, with its section
    low: float | None   # band: ours must satisfy low <= ours <= high (None: unbounded)
    high: float | None
    band_text: str      # the band in words
    unit: str = ""
    note: str = ""      # e.g. an erratum of the paper that explains a miss


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A headline experiment: a function of :mod:`aebook.experiments` and its headline numbers."""

    name: str
    title: str
    section: str
    function: str           # name of the function in aebook.experiments
    seeded: bool            # does the result depend on training (repeat over seeds)?
    headlines: tuple[Headline, ...]


def _tol(paper: float, tol: float) -> tuple[float, float]:
    return paper - tol, paper + tol


HEADLINES: tuple[Experiment, ...] = (
    Experiment(
        "table3", "Curse of dimensionality (Table 3, m = 1000)", "§3.2.2, eq. 23", "table3_experiment",
        False, tuple(
            Headline(f"l_d{d}", f"side l of the cube holding 1/m of the points, d = {d}", p,
                     f"{txt} (Tab. 3)", *_tol(p, 0.005), "paper's value ± 0.005 (its rounding)",
                     note=("erratum: the paper prints 0.003, but (1/1000)^(1/2) = 0.032" if d == 2 else ""))
            for d, p, txt in ((2, 0.003, "0.003"), (10, 0.50, "0.50"), (100, 0.93, "0.93"),
                              (1000, 0.99, "0.99"))
        ) + (Headline("sim_max_count_error",
                      "simulation: largest deviation of the mean count in the cube from 1",
                      None, "1 point on average (eq. 23)", 0.0, 0.3, "<= 0.3"),),
    ),
    Experiment(
        "pca", "Linear autoencoder (784,16,784) + MSE on centred data vs PCA", "§3.1, eq. 22",
        "pca_experiment", True, (
            Headline("max_angle_deg", "largest principal angle to PCA's top-16 subspace", 0.0,
                     "same subspace as PCA (0 degrees)", 0.0, 5.0, "<= 5 degrees", "deg"),
            Headline("mean_angle_deg", "mean principal angle", 0.0, "same subspace as PCA (0 degrees)",
                     None, None, "-", "deg"),
            Headline("re_ratio", "test RE, linear AE / PCA", 1.0, "same reconstructions (ratio 1)",
                     0.99, 1.01, "1 ± 0.01"),
        ),
    ),
    Experiment(
        "reconstruction", "MNIST reconstruction, (784,q,784), BCE", "§2.4, Fig. 4-8",
        "reconstruction_experiment", True, (
            Headline("re_q8", "test RE (per-pixel MSE), q = 8", None, "no number given", None, None, "-"),
            Headline("re_q16", "test RE (per-pixel MSE), q = 16", None, "no number given", None, None, "-"),
            Headline("re_q64", "test RE (per-pixel MSE), q = 64", None, "no number given", None, None, "-"),
            Headline("ratio_q16_q8", "RE(q=16) / RE(q=8)", None, "RE falls as q grows (§2.4)",
                     0.0, 1.0, "< 1"),
            Headline("ratio_q64_q16", "RE(q=64) / RE(q=16)", None, "RE falls as q grows (§2.4)",
                     0.0, 1.0, "< 1"),
        ),
    ),
    Experiment(
        "knn", "k-NN (k = 7) on raw pixels vs latent features (Tables 1-2)", "§3.2.1, Tab. 1-2",
        "knn_experiment", True, (
            Headline("mnist_raw_acc", "MNIST accuracy, raw 784 features", 96.4, "96.4 %",
                     *_tol(96.4, 3.0), "paper ± 3 points", "%"),
            Headline("mnist_latent8_acc", "MNIST accuracy, 8 latent features", 89.0, "89 %",
                     *_tol(89.0, 3.0), "paper ± 3 points", "%"),
            Headline("fashion_raw_acc", "Fashion-MNIST accuracy, raw 784 features", 85.4, "85.4 %",
                     *_tol(85.4, 3.0), "paper ± 3 points", "%"),
            Headline("fashion_latent8_acc", "Fashion-MNIST accuracy, 8 latent features", 79.9, "79.9 %",
                     *_tol(79.9, 3.0), "paper ± 3 points", "%"),
            Headline("fashion_latent16_acc", "Fashion-MNIST accuracy, 16 latent features", 83.6, "83.6 %",
                     *_tol(83.6, 3.0), "paper ± 3 points", "%"),
            Headline("mnist_raw_seconds", "MNIST time, raw (brute-force search)", 1000.0, "~1000 s (Colab)",
                     None, None, "- (machine-dependent)", "s"),
            Headline("mnist_latent8_seconds", "MNIST time, 8 latent (brute-force search)", 1.1,
                     "1.1 s (Colab)", None, None, "- (machine-dependent)", "s"),
            Headline("mnist_speedup8", "MNIST time ratio raw / 8 latent", 1000 / 1.1, "~1000 / 1.1 = 909",
                     1.0, INF, "> 1 (latent search is faster)"),
            Headline("fashion_speedup8", "Fashion-MNIST time ratio raw / 8 latent", 1040 / 1.2,
                     "1040 / 1.2 = 867", 1.0, INF, "> 1 (latent search is faster)"),
            Headline("fashion_speedup16", "Fashion-MNIST time ratio raw / 16 latent", 1040 / 3.0,
                     "1040 / 3.0 = 347", 1.0, INF, "> 1 (latent search is faster)"),
        ),
    ),
    Experiment(
        "shoe", "Anomaly detection: one shoe among the MNIST test digits", "§3.3, Fig. 10-11",
        "shoe_experiment", True, (
            Headline("shoe_rank", "rank of the shoe by RE (1 = largest)", 1.0, "1 (largest RE)",
                     1.0, 1.0, "= 1"),
            Headline("shoe_re", "RE of the shoe (per-pixel MSE)", 0.062, "0.062",
                     0.031, 0.124, "within a factor 2 of the paper"),
            Headline("runner_up_re", "second-largest RE", 0.022, "0.022",
                     0.011, 0.044, "within a factor 2 of the paper"),
            Headline("ratio", "shoe RE / second-largest RE", 0.062 / 0.022, "0.062 / 0.022 = 2.8",
                     1.5, INF, ">= 1.5 (the shoe stands out)"),
        ),
    ),
    Experiment(
        "denoising", "Denoising (784,32,784), Gaussian noise factor 0.5", "§3.4, Fig. 12",
        "denoising_experiment", True, (
            Headline("mse_noisy", "test MSE, noisy vs clean", None, "no number given", None, None, "-"),
            Headline("mse_denoised", "test MSE, denoised vs clean", None, "no number given", None, None, "-"),
            Headline("mse_ratio", "MSE denoised / MSE noisy", None, "noise removed (Fig. 12)", 0.0, 0.5,
                     "<= 0.5 (error at least halved)"),
            Headline("psnr_gain_db", "PSNR gain of denoising", None, "noise removed (Fig. 12)", 3.0, INF,
                     ">= 3 dB", "dB"),
        ),
    ),
    Experiment(
        "conv", "Convolutional AE (paper's CA) vs FFA (784,32,784), same training", "§4, Fig. 13",
        "conv_experiment", True, (
            Headline("re_ffa", "test RE (per-pixel MSE), FFA", None, "no number given", None, None, "-"),
            Headline("re_ca", "test RE (per-pixel MSE), CA", None, "no number given", None, None, "-"),
            Headline("ratio_ca_ffa", "RE(CA) / RE(FFA)", None, "CA better than FFA (Fig. 13)", 0.0, 1.0,
                     "< 1"),
        ),
    ),
)



_PAPER_ORDER = ("reconstruction", "pca", "knn", "table3", "shoe", "denoising", "conv")


def _registry() -> dict[str, Experiment]:
    """The experiments by name, in the paper's order of sections."""
    rank = {n: i for i, n in enumerate(_PAPER_ORDER)}
    return {e.name: e for e in sorted(HEADLINES, key=lambda e: rank.get(e.name, len(rank)))}


def experiment_names() -> list[str]:
    """Names of the headline experiments, in report order."""
    return list(_registry())


# ------------------------------------------------------------------------- machine
def hardware() -> dict:
    """The machine: CPU model, usable cores, GPUs (:func:`aebook.backend.gpu_names`), OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if sys.platform == "darwin":
        import subprocess

        try:
            cpu = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                 text=True, timeout=5).stdout.strip() or cpu
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    from .backend import gpu_names

    gpus = gpu_names()
    return {"cpu": cpu, "cores": int(cores), "gpus": gpus,
            "platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "python": platform.python_version()}


def package_versions() -> dict:
    """Versions of aebook and the packages that decide the numbers (None when not installed)."""
    from importlib import metadata

    from . import __version__

    out = {"aebook": __version__}
    for name in ("tensorflow", "jax", "keras", "numpy", "scikit-learn", "scipy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


# -------------------------------------------------------------------------- running
def _summary(values: list[float]) -> dict:
    vals = [float(v) for v in values]
    finite = [v for v in vals if math.isfinite(v)]
    mean = statistics.fmean(finite) if finite else float("nan")
    spread = statistics.stdev(finite) if len(finite) > 1 else 0.0
    return {"mean": mean, "std": spread, "min": min(finite, default=mean),
            "max": max(finite, default=mean), "values": vals}


def _verdict(h: Headline, value: float) -> str:
    if h.low is None and h.high is None:
        return "info"
    if not math.isfinite(value):
        return "fail"
    ok = (h.low is None or value >= h.low - 1e-12) and (h.high is None or value <= h.high + 1e-12)
    return "pass" if ok else "fail"


def _json_number(x):
    """JSON has no infinity: unbounded band ends are written as null."""
    return None if x is None or not math.isfinite(x) else float(x)


def _resolve(exp: Experiment) -> Callable | None:
    from . import experiments

    return getattr(experiments, exp.function, None)


def run_report(
    profile: str | config.Profile | None = None,
    seeds: int = 1,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Run the headline experiments and return the report as a plain, JSON-able dictionary.

    ``seeds`` repeats every experiment that depends on training with seeds
    ``default_seed() + i``, i < seeds, and reports mean, standard deviation
    and the values. ``only`` picks experiments by name (see
    :func:`experiment_names`). ``progress`` receives one plain line per step.
    """
    prof = config.get_profile(profile)
    if int(seeds) < 1:
        raise ValueError(f"seeds must be >= 1, got {seeds}")
    registry = _registry()
    names = list(registry) if not only else list(only)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown experiment(s) {unknown}: choose from {', '.join(registry)}")
    seed0 = config.default_seed()
    seed_list = [seed0 + i for i in range(int(seeds))]
    say = progress or (lambda line: None)
    t_start = time.perf_counter()
    experiments_out = []
    for i, name in enumerate(names, 1):
        exp = registry[name]
        fn = _resolve(exp)
        bar = "#" * i + "." * (len(names) - i)
        say(f"[{bar}] {i}/{len(names)} {name}: {exp.title} ...")
        t0 = time.perf_counter()
        entry = {"name": name, "title": exp.title, "section": exp.section, "function": exp.function,
                 "seeded": exp.seeded, "seeds": seed_list if exp.seeded else [], "status": "ok",
                 "error": None, "details": {}, "headlines": []}
        runs: list[dict] = []
        if fn is None:
            entry["status"] = "missing"
            entry["error"] = f"aebook.experiments.{exp.function} does not exist"
        else:
            try:
                for s in seed_list if exp.seeded else [seed0]:
                    runs.append(fn(profile=prof, seed=s))
            except Exception as exc:  # noqa: BLE001 - one failing experiment must not hide the others
                entry["status"] = "error"
                entry["error"] = f"{type(exc).__name__}: {exc}"
        bad = [f"{h.key}={r[h.key]!r}" for r in runs for h in exp.headlines
               if h.key in r and not math.isfinite(float(r[h.key]))]
        if bad:  # JSON has no NaN/inf, and a band cannot judge them: report the experiment as failed
            entry["status"], entry["error"], runs = "error", f"non-finite result(s): {', '.join(bad)}", []
        if runs:
            entry["details"] = {k: v for k, v in runs[0].items()
                                if isinstance(v, str | bool | int | float) and k not in
                                {h.key for h in exp.headlines}}
            for h in exp.headlines:
                if h.key not in runs[0]:
                    continue
                summ = _summary([r[h.key] for r in runs])
                entry["headlines"].append({
                    "key": h.key, "label": h.label, "unit": h.unit,
                    "ours": summ["mean"], "std": summ["std"], "min": summ["min"], "max": summ["max"],
                    "values": summ["values"], "paper": h.paper, "paper_text": h.paper_text,
                    "band": {"low": _json_number(h.low), "high": _json_number(h.high),
                             "text": h.band_text},
                    "verdict": _verdict(h, summ["mean"]), "note": h.note,
                })
        entry["seconds"] = time.perf_counter() - t0
        flag = entry["status"] if entry["status"] != "ok" else (
            f"{sum(x['verdict'] == 'pass' for x in entry['headlines'])} pass, "
            f"{sum(x['verdict'] == 'fail' for x in entry['headlines'])} fail")
        say(f"[{bar}] {i}/{len(names)} {name}: {flag} ({entry['seconds']:.1f} s)")
        experiments_out.append(entry)
    heads = [h for e in experiments_out for h in e["headlines"]]
    return {
        "schema_version": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "profile": prof.as_dict(),
        "seeds": seed_list,
        "hardware": hardware(),
        "versions": package_versions(),
        "total_seconds": time.perf_counter() - t_start,
        "summary": {v: sum(h["verdict"] == v for h in heads) for v in ("pass", "fail", "info")}
        | {"errors": sum(e["status"] != "ok" for e in experiments_out)},
        "experiments": experiments_out,
    }


# ------------------------------------------------------------------------- rendering
def _fmt(x, spread: float | None = None) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return "inf" if x > 0 else "nan"
    mag = abs(x)
    if float(x).is_integer() and not spread and mag < 1e5:
        return f"{int(x)}"
    digits = 4 if mag < 0.1 else 3 if mag < 10 else 1
    s = f"{x:.{digits}f}" if mag < 1e5 else f"{x:.3g}"
    if spread:
        s += f" ± {spread:.{digits}f}"
    return s


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_MARK = {"pass": "meets", "fail": "does not meet", "info": "(no band)"}
TABLE_COLUMNS = ("experiment", "number", "paper", "ours", "band", "verdict", "note")


def table_rows(results: dict) -> list[dict]:
    """One row per headline number (an experiment that did not run: one row saying why), as strings."""
    rows = []
    for e in results["experiments"]:
        where = f"{e['title']} ({e['section']})"
        if e["status"] != "ok":
            rows.append(dict(zip(TABLE_COLUMNS, (where, "-", "-", "-", "-", e["status"], e["error"] or ""),
                                 strict=True)))
            continue
        for h in e["headlines"]:
            ours = _fmt(h["ours"], h["std"]) + (f" {h['unit']}" if h.get("unit") else "")
            rows.append(dict(zip(TABLE_COLUMNS, (where, h["label"], h["paper_text"], ours, h["band"]["text"],
                                                 _MARK[h["verdict"]], h.get("note", "")), strict=True)))
    return rows


def to_html(results: dict) -> str:
    """The table of :func:`to_markdown` as an HTML table (for notebooks and the book)."""
    import html

    head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
    body = []
    for r in table_rows(results):
        style = {"meets": "color:#1a7f37", "does not meet": "color:#cf222e"}.get(r["verdict"], "")
        cells = "".join(f"<td style=\"{style}\">{html.escape(str(r[c]))}</td>" if c == "verdict" and style
                        else f"<td>{html.escape(str(r[c]))}</td>" for c in TABLE_COLUMNS)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def to_markdown(results: dict) -> str:
    """The report as Markdown: one table row per headline number, paper vs ours and the verdict."""
    hw, prof = results["hardware"], results["profile"]
    gpus = ", ".join(hw["gpus"]) or "none"
    lines = [
        f"# Reproduction report: profile `{prof['name']}`",
        "",
        f"Machine: {hw['cpu']}, {hw['cores']} cores, GPU: {gpus}; {hw['platform']}, "
        f"Python {hw['python']}.  ",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items() if v) + ".  ",
        f"Seeds: {', '.join(map(str, results['seeds']))} (mean ± standard deviation over the seeds for "
        "numbers that depend on training).  ",
        f"Created {results['created']}; total {results['total_seconds']:.1f} s.",
        "",
        "| experiment | number | paper | ours | band | verdict | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table_rows(results):
        lines.append("| " + " | ".join(_cell(r[c]) for c in TABLE_COLUMNS) + " |")
    lines += ["", "| experiment | seconds |", "|---|---|"]
    lines += [f"| {e['name']} | {e['seconds']:.1f} |" for e in results["experiments"]]
    s = results["summary"]
    lines += ["", f"{s['pass']} numbers meet the paper's band, {s['fail']} do not, {s['info']} have no "
              f"band; {s['errors']} experiments did not run."]
    return "\n".join(lines) + "\n"


_NUM = {"type": "number"}
_NUM_OR_NULL = {"type": ["number", "null"]}
RESULTS_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "aebook reproduction report",
    "type": "object",
    "required": ["schema_version", "created", "profile", "seeds", "hardware", "versions",
                 "total_seconds", "summary", "experiments"],
    "properties": {
        "schema_version": {"const": 1},
        "created": {"type": "string"},
        "profile": {"type": "object", "required": ["name", "n_train", "n_test", "epochs", "batch_size"],
                    "properties": {"name": {"enum": sorted(config.PROFILES)}}},
        "seeds": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        "hardware": {"type": "object", "required": ["cpu", "cores", "gpus", "platform", "python"],
                     "properties": {"cpu": {"type": "string"}, "cores": {"type": "integer", "minimum": 1},
                                    "gpus": {"type": "array", "items": {"type": "string"}}}},
        "versions": {"type": "object", "required": ["aebook", "tensorflow", "keras", "numpy"]},
        "total_seconds": {"type": "number", "minimum": 0},
        "summary": {"type": "object", "required": ["pass", "fail", "info", "errors"]},
        "experiments": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "title", "section", "function", "seeded", "seeds", "status", "error",
                             "seconds", "headlines"],
                "properties": {
                    "status": {"enum": ["ok", "error", "missing"]},
                    "seconds": {"type": "number", "minimum": 0},
                    "headlines": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "label", "ours", "std", "values", "paper", "paper_text",
                                         "band", "verdict"],
                            "properties": {
                                "ours": _NUM, "std": {"type": "number", "minimum": 0},
                                "values": {"type": "array", "items": _NUM, "minItems": 1},
                                "paper": _NUM_OR_NULL, "paper_text": {"type": "string"},
                                "band": {"type": "object", "required": ["low", "high", "text"],
                                         "properties": {"low": _NUM_OR_NULL, "high": _NUM_OR_NULL}},
                                "verdict": {"enum": ["pass", "fail", "info"]},
                            },
                        },
                    },
                },
            },
        },
    },
}


def validate_results(results: dict) -> None:
    """Raise ``ValueError`` naming the first problem if ``results`` does not match :data:`RESULTS_SCHEMA`."""
    import jsonschema

    try:
        jsonschema.validate(results, RESULTS_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        raise ValueError(f"results do not match the report schema at {where}: {exc.message}") from None


def check_out_dir(out_dir: str | Path) -> Path:
    """Create ``out_dir`` if needed and check that it is a writable folder; return it.

    Raises ``ValueError`` naming the problem and the fix otherwise.
    """
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file, not a folder: give a folder to write the report into")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"cannot write to {out} ({exc.strerror or exc}): choose a writable folder") \
            from None
    return out


def write_report(results: dict, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``results.json`` and ``results.md`` into ``out_dir`` (created if needed); return both paths.

    Raises ``ValueError`` when ``out_dir`` is a file or cannot be written.
    """
    out = check_out_dir(out_dir)
    validate_results(results)
    jpath, mpath = out / "results.json", out / "results.md"
    jpath.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n")
    mpath.write_text(to_markdown(results))
    return jpath, mpath
