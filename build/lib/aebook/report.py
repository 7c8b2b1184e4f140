"""The reproduction report: run the paper's headline experiments, render, validate and write.

:func:`run_report` runs the experiments of :data:`EXPERIMENTS` (the
``*_experiment`` functions of :mod:`aebook.experiments`, which train through
the same recipes as the chapters, so models come from the shared model cache)
for one profile and one or more seeds, and returns a plain dictionary: for
every headline number of :mod:`aebook.paper` our value (mean and spread over
the seeds for the numbers that depend on training), the paper's value, its
band and why the band is that wide, and whether ours lies in it; plus the
profile, the seeds, the machine (:mod:`aebook.machine`) and the wall time of
each experiment. :func:`to_markdown` and :func:`to_html` render it (the HTML
with one figure per experiment: ours against the paper, the band shaded),
:func:`validate_results` checks it against :data:`RESULTS_SCHEMA`, and
:func:`write_report` writes ``results.json``, ``results.md`` and
``results.html``. ``python -m aebook reproduce`` is a thin command line over
these functions.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import math
import os
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import jsonschema

from . import config, experiments, machine, paper
from .paper import Headline
from .plots import Figure

__all__ = [
    "EXPERIMENTS",
    "RESULTS_SCHEMA",
    "Experiment",
    "check_out_dir",
    "experiment_names",
    "headline_figure",
    "run_report",
    "table_rows",
    "to_html",
    "to_markdown",
    "validate_results",
    "write_report",
]


@dataclasses.dataclass(frozen=True)
class Experiment:
    """A headline experiment: the function that runs it and the paper's numbers it is judged by."""

    name: str
    title: str
    section: str
    run: Callable[..., dict]  # run(profile=..., seed=...) -> dict with a key per headline
    seeded: bool              # does the result depend on training (repeat over seeds)?
    headlines: tuple[Headline, ...]


# The experiments in the paper's order of sections.
EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment("reconstruction", "MNIST reconstruction, (784,q,784), BCE", "§2.4, Fig. 4-8",
               experiments.reconstruction_experiment, True, paper.RECONSTRUCTION),
    Experiment("pca", "Linear autoencoder (784,16,784) + MSE on centred data vs PCA", "§3.1, eq. 22",
               experiments.pca_experiment, True, paper.PCA),
    Experiment("knn", "k-NN (k = 7) on raw pixels vs latent features (Tables 1-2)", "§3.2.1, Tab. 1-2",
               experiments.knn_experiment, True, paper.KNN),
    Experiment("table3", "Curse of dimensionality (Table 3, m = 1000)", "§3.2.2, eq. 23",
               experiments.table3_experiment, False, paper.TABLE3),
    Experiment("shoe", "Anomaly detection: one shoe among the MNIST test digits", "§3.3, Fig. 10-11",
               experiments.shoe_experiment, True, paper.SHOE),
    Experiment("denoising", "Denoising (784,32,784), Gaussian noise factor 0.5", "§3.4, Fig. 12",
               experiments.denoising_experiment, True, paper.DENOISING),
    Experiment("conv", "Convolutional AE (paper's CA) vs FFA (784,32,784), same training", "§4, Fig. 13",
               experiments.conv_experiment, True, paper.CONV),
)


def experiment_names() -> list[str]:
    """Names of the headline experiments, in the paper's order."""
    return [e.name for e in EXPERIMENTS]


def select(only: Sequence[str] | None = None) -> list[Experiment]:
    """The experiments named in ``only`` (all when ``None``), in the paper's order.

    Raises ``ValueError`` naming ``only`` for an empty selection or an unknown name.
    """
    if only is None:
        return list(EXPERIMENTS)
    names = [n.strip() for n in only if n.strip()]
    if not names:
        raise ValueError(f"only must name at least one experiment ({', '.join(experiment_names())}), "
                         f"got {list(only)!r}: pass None to run all")
    unknown = [n for n in names if n not in experiment_names()]
    if unknown:
        raise ValueError(f"only: unknown experiment(s) {unknown}: choose from "
                         f"{', '.join(experiment_names())}")
    return [e for e in EXPERIMENTS if e.name in names]


# -------------------------------------------------------------------------- running
def _summary(values: list[float]) -> dict:
    vals = [float(v) for v in values]
    finite = [v for v in vals if math.isfinite(v)]
    mean = statistics.fmean(finite) if finite else float("nan")
    spread = statistics.stdev(finite) if len(finite) > 1 else 0.0
    return {"mean": mean, "std": spread, "min": min(finite, default=mean),
            "max": max(finite, default=mean), "values": vals}


def _verdict(h: Headline, value: float, profile: str) -> str:
    if (h.low is None and h.high is None) or profile not in h.profiles:
        return "info"
    if not math.isfinite(value):
        return "fail"
    ok = (h.low is None or value >= h.low - 1e-12) and (h.high is None or value <= h.high + 1e-12)
    return "pass" if ok else "fail"


def _json_number(x):
    """JSON has no infinity: unbounded band ends are written as null."""
    return None if x is None or not math.isfinite(x) else float(x)


def _run_one(exp: Experiment, prof: config.Profile, seed_list: list[int], seed0: int) -> dict:
    t0 = time.perf_counter()
    entry = {"name": exp.name, "title": exp.title, "section": exp.section,
             "function": f"{exp.run.__module__}.{exp.run.__qualname__}",
             "seeded": exp.seeded, "seeds": seed_list if exp.seeded else [], "status": "ok",
             "error": None, "details": {}, "headlines": []}
    runs: list[dict] = []
    try:
        for s in seed_list if exp.seeded else [seed0]:
            runs.append(exp.run(profile=prof, seed=s))
    except Exception as exc:  # noqa: BLE001 - one failing experiment must not hide the others
        entry["status"] = "error"
        entry["error"] = f"{type(exc).__name__}: {exc}"
        runs = []
    bad = [f"{h.key}={r[h.key]!r}" for r in runs for h in exp.headlines
           if h.key in r and not math.isfinite(float(r[h.key]))]
    if bad:  # JSON has no NaN/inf, and a band cannot judge them: report the experiment as failed
        entry["status"], entry["error"], runs = "error", f"non-finite result(s): {', '.join(bad)}", []
    missing = [h.key for h in exp.headlines if runs and h.key not in runs[0]]
    if missing:  # a headline without a number would silently drop out of the table
        entry["status"], entry["error"], runs = "error", f"result lacks headline(s) {missing}", []
    if runs:
        keys = {h.key for h in exp.headlines}
        entry["details"] = {k: v for k, v in runs[0].items()
                            if isinstance(v, str | bool | int | float) and k not in keys}
        for h in exp.headlines:
            summ = _summary([r[h.key] for r in runs])
            entry["headlines"].append({
                "key": h.key, "label": h.label, "unit": h.unit,
                "ours": summ["mean"], "std": summ["std"], "min": summ["min"], "max": summ["max"],
                "values": summ["values"], "paper": h.paper, "paper_text": h.paper_text,
                "band": {"low": _json_number(h.low), "high": _json_number(h.high),
                         "text": h.band_text if prof.name in h.profiles
                         else f"{h.band_text} ({', '.join(h.profiles)} profile only)", "why": h.why},
                "applies": prof.name in h.profiles,
                "verdict": _verdict(h, summ["mean"], prof.name),
                "note": f"erratum: {h.erratum}" if h.erratum else h.note, "erratum": bool(h.erratum),
            })
    entry["seconds"] = time.perf_counter() - t0
    return entry


def run_report(
    profile: str | config.Profile | None = None,
    seeds: int = 1,
    only: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    iterate: Callable[[list[Experiment]], Iterable[Experiment]] | None = None,
) -> dict:
    """Run the headline experiments and return the report as a plain, JSON-able dictionary.

    ``seeds`` repeats every experiment that depends on training with seeds
    ``default_seed() + i``, i < seeds, and reports mean, standard deviation
    and the values. ``only`` picks experiments by name (see
    :func:`experiment_names`). ``progress`` receives one plain line before and
    after each experiment (a failed one's line gives the reason); ``iterate``
    wraps the list of experiments (e.g. ``tqdm.tqdm`` for a progress bar).
    """
    prof = config.get_profile(profile)
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be an integer >= 1, got {seeds!r}")
    chosen = select(only)
    seed0 = config.resolve_seed(None)
    seed_list = [seed0 + i for i in range(seeds)]
    say = progress or (lambda line: None)
    t_start = time.perf_counter()
    experiments_out = []
    for i, exp in enumerate((iterate or iter)(chosen), 1):
        head = f"{i}/{len(chosen)} {exp.name}"
        say(f"{head}: {exp.title} ...")
        entry = _run_one(exp, prof, seed_list, seed0)
        if entry["status"] != "ok":
            flag = f"ERROR {entry['error']}"
        else:
            flag = (f"{sum(x['verdict'] == 'pass' for x in entry['headlines'])} pass, "
                    f"{sum(x['verdict'] == 'fail' for x in entry['headlines'])} fail")
        say(f"{head}: {flag} ({entry['seconds']:.1f} s)")
        experiments_out.append(entry)
    heads = [h for e in experiments_out for h in e["headlines"]]
    return {
        "schema_version": 2,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "profile": prof.as_dict(),
        "seeds": seed_list,
        "hardware": machine.hardware(),
        "versions": machine.package_versions(),
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


def table_html(results: dict) -> str:
    """The table of :func:`to_markdown` as an HTML table (for notebooks and the book)."""
    head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
    body = []
    for r in table_rows(results):
        style = {"meets": "color:#1a7f37", "does not meet": "color:#cf222e"}.get(r["verdict"], "")
        cells = "".join(f"<td style=\"{style}\">{html.escape(str(r[c]))}</td>" if c == "verdict" and style
                        else f"<td>{html.escape(str(r[c]))}</td>" for c in TABLE_COLUMNS)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _plotted(h: dict) -> bool:
    """A headline gets a panel when there is something to compare ours with."""
    return h["paper"] is not None or h["band"]["low"] is not None or h["band"]["high"] is not None


def headline_figure(entry: dict) -> Figure | None:
    """One experiment's headline numbers, ours against the paper, the band shaded.

    One row per headline that has a paper value or a band: the band (shaded;
    an open end runs to the edge of the axis), the paper's value (red cross),
    ours (mean, with a bar of ± one standard deviation over the seeds) and
    each seed's value (grey dots). A logarithmic axis where the numbers span
    more than a factor 20. Returns ``None`` when nothing can be compared.
    """
    heads = [h for h in entry["headlines"] if _plotted(h)]
    if not heads:
        return None
    fig = Figure(figsize=(7.0, 0.9 + 0.75 * len(heads)), layout="constrained")
    axes = fig.subplots(len(heads), 1, squeeze=False)[:, 0]
    for ax, h in zip(axes, heads, strict=True):
        low, high = h["band"]["low"], h["band"]["high"]
        points = [*h["values"], h["ours"]] + [v for v in (h["paper"], low, high) if v is not None]
        lo_x, hi_x = min(points), max(points)
        log = lo_x > 0 and hi_x / lo_x > 20
        if log:
            lo_x, hi_x = lo_x / 1.6, hi_x * 1.6
            ax.set_xscale("log")
        else:
            pad = 0.15 * (hi_x - lo_x) or 0.1 * (abs(hi_x) or 1.0)
            lo_x, hi_x = lo_x - pad, hi_x + pad
        ax.set_xlim(lo_x, hi_x)
        ax.axvspan(lo_x if low is None else low, hi_x if high is None else high, color="#2da44e",
                   alpha=0.2, lw=0, label="band")
        if h["paper"] is not None:
            ax.plot([h["paper"]], [0], "x", color="#cf222e", ms=9, mew=2, label="paper")
        ax.plot(h["values"], [0] * len(h["values"]), ".", color="0.5", label="each seed")
        ax.errorbar([h["ours"]], [0], xerr=[[h["std"]], [h["std"]]], fmt="o", color="#0969da",
                    capsize=3, label="ours (mean ± sd)")
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        unit = f" ({h['unit']})" if h.get("unit") else ""
        ax.set_title(f"{h['label']}{unit}: {_MARK[h['verdict']]} {h['band']['text']}", fontsize=8,
                     loc="left")
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, ncols=4, loc="lower left", bbox_to_anchor=(0, 1.25), frameon=False)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def to_html(results: dict) -> str:
    """The report as a self-contained HTML page: the table, then one figure per experiment.

    Each figure (:func:`headline_figure`) is embedded as a PNG; below it, the
    reason for each band.
    """
    md_head = to_markdown(results).split("\n\n| experiment")[0].splitlines()
    intro = "".join(f"<p>{html.escape(line.lstrip('# ').rstrip())}</p>" for line in md_head[2:] if line)
    parts = [f"<h1>{html.escape(md_head[0].lstrip('# '))}</h1>", intro, table_html(results)]
    for e in results["experiments"]:
        parts.append(f"<h2>{html.escape(e['title'])} ({html.escape(e['section'])})</h2>")
        if e["status"] != "ok":
            parts.append(f"<p><b>did not run:</b> {html.escape(str(e['error']))}</p>")
            continue
        fig = headline_figure(e)
        if fig is not None:
            parts.append(f"<img alt=\"{html.escape(e['name'])}: ours against the paper\" "
                         f"src=\"data:image/png;base64,{_png(fig)}\">")
        reasons = "".join(f"<li><b>{html.escape(h['label'])}</b> ({html.escape(h['band']['text'])}): "
                          f"{html.escape(h['band']['why'])}</li>" for h in e["headlines"])
        parts.append(f"<ul>{reasons}</ul>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse;"
             "font-size:85%}td,th{border:1px solid #ccc;padding:2px 6px}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>aebook reproduction report"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


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
        "schema_version": {"const": 2},
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
                    "status": {"enum": ["ok", "error"]},
                    "seconds": {"type": "number", "minimum": 0},
                    "headlines": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "label", "ours", "std", "values", "paper", "paper_text",
                                         "band", "applies", "verdict", "erratum"],
                            "properties": {
                                "ours": _NUM, "std": {"type": "number", "minimum": 0},
                                "values": {"type": "array", "items": _NUM, "minItems": 1},
                                "paper": _NUM_OR_NULL, "paper_text": {"type": "string"},
                                "band": {"type": "object", "required": ["low", "high", "text", "why"],
                                         "properties": {"low": _NUM_OR_NULL, "high": _NUM_OR_NULL}},
                                "verdict": {"enum": ["pass", "fail", "info"]},
                                "erratum": {"type": "boolean"}, "applies": {"type": "boolean"},
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


def write_report(results: dict, out_dir: str | Path) -> tuple[Path, Path, Path]:
    """Write ``results.json``, ``results.md`` and ``results.html`` into ``out_dir``; return the paths.

    ``out_dir`` is created if needed. Raises ``ValueError`` when it is a file
    or cannot be written, or when ``results`` does not match the schema.
    """
    out = check_out_dir(out_dir)
    validate_results(results)
    jpath, mpath, hpath = out / "results.json", out / "results.md", out / "results.html"
    jpath.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n")
    mpath.write_text(to_markdown(results))
    hpath.write_text(to_html(results))
    return jpath, mpath, hpath
