"""Execute every chapter of the book (as listed in _toc.yml) and record wall time and peak memory.

Each chapter runs in a fresh Jupyter kernel through jupytext + nbclient, the
way ``jupyter-book build`` executes it, with ``AEBOOK_PROFILE`` and
``AEBOOK_CACHE_DIR`` set for the kernel. A thread samples the resident memory
of the kernel and its children (psutil) every 0.2 s; the book's peak is the
largest of the chapters' peaks (they run one after the other).

    python benchmarks/book.py --profile quick --cache-dir /tmp/cache
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/book.py`
    sys.path.insert(0, str(ROOT))

from tools import toc  # noqa: E402  (the one _toc.yml reader)


def chapters(root: Path = ROOT) -> list[Path]:
    """The pages of _toc.yml that execute as notebooks, in book order (root first)."""
    return toc.notebooks(root)


class _PeakSampler(threading.Thread):
    """Samples the RSS (MiB) of a process and its descendants until stopped; keeps the maximum."""

    def __init__(self, get_pid, interval: float = 0.2):
        super().__init__(daemon=True)
        self.get_pid, self.interval, self.peak = get_pid, interval, 0.0
        self._stop_event = threading.Event()

    def run(self):
        import psutil

        while not self._stop_event.is_set():
            pid = self.get_pid()
            if pid:
                try:
                    proc = psutil.Process(pid)
                    procs = [proc, *proc.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in procs if p.is_running())
                    self.peak = max(self.peak, rss / 2**20)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak


def run_chapter(path: Path, profile: str, cache_dir: Path, timeout: int = 3600) -> dict:
    """Execute one chapter in a fresh kernel; return seconds, peak RSS (MiB) and success."""
    import jupytext
    from nbclient import NotebookClient

    env = dict(os.environ, AEBOOK_PROFILE=profile, AEBOOK_CACHE_DIR=str(cache_dir))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    nb = jupytext.read(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={
        "metadata": {"path": str(path.parent)}})
    client.km = client.create_kernel_manager()

    def kernel_pid():
        prov = getattr(client.km, "provisioner", None)
        proc = getattr(prov, "process", None)
        return getattr(proc, "pid", None)

    sampler = _PeakSampler(kernel_pid)
    t0 = time.perf_counter()
    ok, error = True, ""
    try:
        sampler.start()
        client.start_new_kernel(env=env)
        client.start_new_kernel_client()
        client.execute(cleanup_kc=True)
    except Exception as exc:  # noqa: BLE001 - a failing chapter is reported, the run goes on
        ok, error = False, f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
    finally:
        seconds = time.perf_counter() - t0
        try:
            if client.km is not None and client.km.has_kernel:
                client.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        peak = sampler.stop()
    return {"seconds": seconds, "peak_rss_mib": peak, "ok": ok, "error": error}


def run_book(profile: str, cache_dir: Path, root: Path = ROOT, verbose: bool = True,
             only: list[str] | None = None) -> dict:
    """Execute all chapters (or those whose name contains one of ``only``); return times and peak RSS."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    result = {"profile": profile, "cache_dir": str(cache_dir), "chapters": {}}
    t0 = time.perf_counter()
    for path in chapters(root):
        if only and not any(s in path.stem for s in only):
            continue
        res = run_chapter(path, profile, cache_dir)
        result["chapters"][path.stem] = res
        if verbose:
            flag = "ok" if res["ok"] else f"FAILED ({res['error']})"
            print(f"  {path.stem:<40} {res['seconds']:7.1f} s  {res['peak_rss_mib']:6.0f} MiB  {flag}",
                  flush=True)
    result["total_seconds"] = time.perf_counter() - t0
    result["peak_rss_mib"] = max((c["peak_rss_mib"] for c in result["chapters"].values()), default=0.0)
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Time every chapter of the book and record peak memory.")
    p.add_argument("--profile", default="quick", choices=["quick", "paper"])
    p.add_argument("--cache-dir", required=True, help="model cache folder (empty = cold run)")
    p.add_argument("--json", default=None, help="also write the results to this JSON file")
    p.add_argument("--only", default=None, help="comma-separated parts of chapter names (default: all)")
    args = p.parse_args(argv)
    only = [s for s in (args.only or "").split(",") if s]
    res = run_book(args.profile, Path(args.cache_dir), only=only or None)
    print(f"total {res['total_seconds']:.1f} s, peak memory {res['peak_rss_mib']:.0f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    return 0 if all(c["ok"] for c in res["chapters"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
