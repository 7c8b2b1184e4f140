"""Command line: ``python -m aebook reproduce`` (also the ``aebook`` console script).

A thin layer over :mod:`aebook.report`: parse the arguments, run the headline
experiments with a plain progress display, write ``results.json`` and
``results.md``. Bad arguments exit with status 2 and a message naming the fix.
"""

from __future__ import annotations

import argparse
import sys

from . import config


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aebook", description="Tools of the book 'An Introduction to "
                                "Autoencoders' (after Michelucci, 2022).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("reproduce", help="run the paper's headline experiments and compare with the paper",
                       description="Run the paper's headline experiments through the book's library (trained "
                       "models come from the model cache, AEBOOK_CACHE_DIR) and write results.json and "
                       "results.md: paper vs ours, with a pass/fail band for each number.")
    r.add_argument("--profile", default=None,
                   help=f"{' or '.join(sorted(config.PROFILES))} (default: AEBOOK_PROFILE, else paper)")
    r.add_argument("--seeds", default=1, type=int,
                   help="seeds for the numbers that depend on training (mean and spread; default 1)")
    r.add_argument("--out", default="aebook-results", help="folder for results.json and results.md "
                   "(created if needed; default ./aebook-results)")
    r.add_argument("--only", default=None,
                   help="comma-separated experiments to run (default: all); see --list")
    r.add_argument("--list", action="store_true", help="list the experiments and exit")
    return p, r


def main(argv: list[str] | None = None) -> int:
    top, parser = _parser()  # errors are reported by the reproduce subcommand's parser
    args = top.parse_args(argv)
    from . import report

    if args.list:
        for name in report.experiment_names():
            print(name)
        return 0
    try:
        profile = config.get_profile(args.profile)
    except ValueError as exc:
        parser.error(str(exc))
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    only = None
    if args.only:
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [n for n in only if n not in report.experiment_names()]
        if unknown or not only:
            parser.error(f"--only: unknown experiment(s) {unknown}; choose from "
                         f"{', '.join(report.experiment_names())}")
    try:
        out = report.check_out_dir(args.out)
    except ValueError as exc:
        parser.error(f"--out: {exc}")

    def progress(line: str) -> None:
        print(line, flush=True)

    print(f"aebook reproduce: profile {profile.name}, {args.seeds} seed(s), output in {out}", flush=True)
    results = report.run_report(profile, seeds=args.seeds, only=only, progress=progress)
    jpath, mpath = report.write_report(results, out)
    s = results["summary"]
    print(f"{s['pass']} pass, {s['fail']} fail, {s['info']} without band, {s['errors']} experiment errors "
          f"in {results['total_seconds']:.1f} s\nwrote {jpath}\nwrote {mpath}", flush=True)
    return 1 if s["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
