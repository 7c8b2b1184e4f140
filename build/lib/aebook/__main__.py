"""Command line: ``python -m aebook reproduce`` (also the ``aebook`` console script).

A thin layer over :mod:`aebook.report`: parse the arguments, run the headline
experiments under a progress bar (time left included), print a failed
experiment's reason, write ``results.json``, ``results.md`` and
``results.html``. Bad arguments exit with status 2 and a message naming the
fix; experiments that did not run exit with 1, and with ``--strict`` so does
a number outside its band (except where the paper's printed value is a known
erratum, which the report marks).

TensorFlow prints start-up lines (oneDNN, the CUDA stub, absl's warning)
from C++ before its own log level applies, so this command imports it with
the process's standard error sent to /dev/null, after setting
``TF_CPP_MIN_LOG_LEVEL`` (unless the user set it) for the lines that come later.
"""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from . import backend, config, report

DEFAULT_OUT = "results"  # the folder chapter 15 shows: python -m aebook reproduce --out results/


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and its ``reproduce`` subparser (which reports argument errors)."""
    p = argparse.ArgumentParser(prog="aebook", description="Tools of the book 'An Introduction to "
                                "Autoencoders' (after Michelucci, 2022).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("reproduce", help="run the paper's headline experiments and compare with the paper",
                       description="Run the paper's headline experiments through the book's library (trained "
                       "models come from the model cache, AEBOOK_CACHE_DIR) and write results.json, "
                       "results.md and results.html: paper vs ours, with a pass/fail band for each number.")
    r.add_argument("--profile", default=None,
                   help=f"{' or '.join(sorted(config.PROFILES))} (default: AEBOOK_PROFILE, else paper)")
    r.add_argument("--seeds", default=1, type=int,
                   help="seeds for the numbers that depend on training (mean and spread; default 1)")
    r.add_argument("--out", default=DEFAULT_OUT, help="folder for results.json, results.md and "
                   f"results.html (created if needed; default ./{DEFAULT_OUT})")
    r.add_argument("--only", default=None,
                   help="comma-separated experiments to run (default: all); see --list")
    r.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a number misses its band, unless the paper's printed "
                   "value is a known erratum (default: only when an experiment fails to run)")
    r.add_argument("--list", action="store_true", help="list the experiments and exit")
    return p, r


def main(argv: list[str] | None = None) -> int:
    top, parser = _parsers()
    args = top.parse_args(argv)
    if args.list:
        for exp in report.EXPERIMENTS:
            print(f"{exp.name:15s} {exp.section:20s} {exp.title}")
        return 0
    try:
        profile = config.get_profile(args.profile)
    except ValueError as exc:
        parser.error(f"--profile: {exc}")
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    only = None
    if args.only is not None:
        if not args.only.replace(",", "").strip():
            parser.error(f"--only {args.only!r} names no experiment: give one or more of "
                         f"{','.join(report.experiment_names())}, or leave --only out to run all")
        try:
            chosen = report.select(args.only.split(","))
        except ValueError as exc:
            parser.error(f"--only {args.only!r}: {exc}; e.g. --only table3,shoe (see --list)")
        only = [e.name for e in chosen]
    try:
        out = report.check_out_dir(args.out)
    except ValueError as exc:
        parser.error(f"--out: {exc}")

    if any(e.seeded for e in report.select(only)):  # these train or load Keras models
        backend.import_quietly()
    print(f"aebook reproduce: profile {profile.name}, {args.seeds} seed(s), output in {out}", flush=True)

    def bar(experiments):
        return tqdm(experiments, desc="experiments", unit="exp", file=sys.stderr, dynamic_ncols=True,
                    disable=None)  # disable=None: no bar when stderr is not a terminal

    results = report.run_report(profile, seeds=args.seeds, only=only, iterate=bar,
                                progress=lambda line: tqdm.write(line, file=sys.stdout))
    paths = report.write_report(results, out)
    misses = 0
    for e in results["experiments"]:
        if e["status"] != "ok":
            print(f"FAILED {e['name']}: {e['error']}", flush=True)
        for h in e["headlines"]:
            if h["verdict"] == "fail":
                misses += not h["erratum"]
                print(f"outside its band: {e['name']}/{h['key']} = {h['ours']:.4g} (band "
                      f"{h['band']['text']}){'; ' + h['note'] if h['note'] else ''}", flush=True)
    s = results["summary"]
    print(f"{s['pass']} pass, {s['fail']} fail, {s['info']} without band, {s['errors']} experiment errors "
          f"in {results['total_seconds']:.1f} s", flush=True)
    for path in paths:
        print(f"wrote {path}", flush=True)
    if s["errors"] or (args.strict and misses):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
