"""Tests of the reproduction report (aebook.report) and its command line (python -m aebook reproduce)."""

from __future__ import annotations

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from aebook import backend, experiments, report
from aebook.__main__ import main as cli_main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "aebook", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ the real command line
def test_cli_smoke_writes_valid_report(tmp_path, model_cache):
    """The real CLI (quick profile, the experiment needing no training) writes files matching the schema."""
    out = tmp_path / "report"
    proc = run_cli("reproduce", "--profile", "quick", "--only", "table3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout  # plain progress lines, no carriage-return bars
    assert "1/1 table3" in proc.stdout
    results = json.loads((out / "results.json").read_text())
    jsonschema.validate(results, report.RESULTS_SCHEMA)
    assert results["profile"]["name"] == "quick" and results["seeds"] == [42]
    assert results["hardware"]["cores"] >= 1 and results["versions"]["aebook"]
    (exp,) = results["experiments"]
    assert exp["name"] == "table3" and exp["status"] == "ok" and exp["seconds"] > 0
    heads = {h["key"]: h for h in exp["headlines"]}
    # eq. 23 computed, not copied: l = (1/1000)^(1/d); the paper's d = 2 value is its erratum
    assert math.isclose(heads["l_d10"]["ours"], 1000 ** -0.1)
    assert heads["l_d10"]["verdict"] == "pass" and heads["l_d2"]["verdict"] == "fail"
    assert "erratum" in heads["l_d2"]["note"]
    md = (out / "results.md").read_text()
    assert md.count("\n| Curse of dimensionality") == len(heads)
    assert "does not meet" in md and "meets" in md


@pytest.mark.parametrize("args, message", [
    (["--profile", "fast"], "unknown profile 'fast'"),
    (["--seeds", "0"], "--seeds must be >= 1"),
    (["--only", "table4"], "unknown experiment"),
])
def test_cli_bad_arguments_exit_2(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        cli_main(["reproduce", *args, "--out", str(tmp_path / "o")])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o" / "results.json").exists()


def test_cli_unwritable_out_dir_exit_2(tmp_path, capsys):
    a_file = tmp_path / "taken"
    a_file.write_text("user data")
    for out in (a_file, a_file / "sub"):
        with pytest.raises(SystemExit) as info:
            cli_main(["reproduce", "--profile", "quick", "--only", "table3", "--out", str(out)])
        assert info.value.code == 2
        assert "--out" in capsys.readouterr().err
    assert a_file.read_text() == "user data"  # never overwritten


def test_cli_exit_code_2_from_a_real_process(tmp_path):
    proc = run_cli("reproduce", "--profile", "fast", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert proc.returncode == 2 and "unknown profile 'fast'" in proc.stderr


# ------------------------------------------------------------------- the library functions
@pytest.fixture
def fake_experiment(monkeypatch):
    """A registry with one seeded fake experiment whose numbers depend on the seed."""
    calls = []

    def fake(profile=None, seed=None):
        calls.append(seed)
        return {"a": float(seed), "b": 2.0, "c": 5.0, "label": "x"}

    monkeypatch.setattr(experiments, "fake_experiment", fake, raising=False)
    exp = report.Experiment("fake", "Fake", "§0", "fake_experiment", True, (
        report.Headline("a", "seed", None, "-", 40.0, 43.0, "[40, 43]"),
        report.Headline("b", "two", 2.0, "2", 2.5, None, ">= 2.5"),
        report.Headline("c", "five", None, "-", None, None, "-"),
    ))
    monkeypatch.setattr(report, "HEADLINES", (exp,))
    return calls


def test_run_report_mean_spread_and_verdicts(fake_experiment, monkeypatch):
    monkeypatch.setenv("AEBOOK_SEED", "40")
    lines = []
    res = report.run_report("quick", seeds=3, progress=lines.append)
    assert fake_experiment == [40, 41, 42]
    report.validate_results(res)
    heads = {h["key"]: h for h in res["experiments"][0]["headlines"]}
    assert heads["a"]["values"] == [40.0, 41.0, 42.0] and heads["a"]["ours"] == 41.0
    assert math.isclose(heads["a"]["std"], 1.0)
    assert [heads[k]["verdict"] for k in "abc"] == ["pass", "fail", "info"]
    assert res["summary"] == {"pass": 1, "fail": 1, "info": 1, "errors": 0}
    assert res["experiments"][0]["details"] == {"label": "x"}
    assert len(lines) == 2 and all("\r" not in line for line in lines)


def test_run_report_records_a_failing_experiment(fake_experiment, monkeypatch):
    def broken(profile=None, seed=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(experiments, "fake_experiment", broken)
    res = report.run_report("quick")
    assert res["experiments"][0]["status"] == "error" and "boom" in res["experiments"][0]["error"]
    assert res["summary"]["errors"] == 1
    report.validate_results(res)
    assert "error" in report.to_markdown(res)


def test_run_report_non_finite_result_is_an_error(fake_experiment, monkeypatch, tmp_path):
    monkeypatch.setattr(experiments, "fake_experiment", lambda profile=None, seed=None: {
        "a": float("nan"), "b": 2.0, "c": 1.0})
    res = report.run_report("quick")
    assert res["experiments"][0]["status"] == "error" and "a=nan" in res["experiments"][0]["error"]
    jpath, _ = report.write_report(res, tmp_path)  # still valid, strict JSON
    assert json.loads(jpath.read_text())["summary"]["errors"] == 1


def test_run_report_rejects_bad_arguments():
    with pytest.raises(ValueError, match="seeds must be >= 1"):
        report.run_report("quick", seeds=0)
    with pytest.raises(ValueError, match="unknown experiment"):
        report.run_report("quick", only=["nope"])
    with pytest.raises(ValueError, match="unknown profile"):
        report.run_report("slow")


def test_validate_results_names_the_problem(fake_experiment, tmp_path):
    res = report.run_report("quick")
    broken = copy.deepcopy(res)
    broken["experiments"][0]["headlines"][0]["verdict"] = "maybe"
    with pytest.raises(ValueError, match="experiments/0/headlines/0/verdict"):
        report.validate_results(broken)
    with pytest.raises(ValueError):
        report.write_report(broken, tmp_path / "out")
    assert not (tmp_path / "out" / "results.json").exists()


def test_markdown_has_a_row_per_number_and_escapes_pipes(fake_experiment):
    res = report.run_report("quick")
    res["experiments"][0]["headlines"][0]["label"] = "|x|"
    md = report.to_markdown(res)
    rows = [line for line in md.splitlines() if line.startswith("| Fake")]
    assert len(rows) == 3
    assert all(row.count(" | ") == 6 for row in rows)  # 7 columns, the label's pipes escaped
    assert "meets" in md and "does not meet" in md
    res["experiments"][0]["headlines"][1]["label"] = "<b>two</b>"
    page = report.to_html(res)
    assert page.count("<tr>") == 1 + 3 and "&lt;b&gt;two&lt;/b&gt;" in page and "<b>" not in page


def test_every_headline_function_exists_and_keys_are_unique():
    for exp in report.HEADLINES:
        assert callable(getattr(experiments, exp.function, None)), exp.function
        keys = [h.key for h in exp.headlines]
        assert len(keys) == len(set(keys))
        for h in exp.headlines:
            if h.low is not None and h.high is not None:
                assert h.low <= h.high, h.key
            assert h.paper_text and h.band_text
    assert len(report.experiment_names()) == len(set(report.experiment_names()))


def test_hardware_names_a_gpu_from_the_driver_when_no_backend_is_loaded(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1234)'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(backend, "loaded", lambda: None)
    hw = report.hardware()
    assert hw["gpus"] == ["NVIDIA H100 80GB HBM3"]
    assert hw["cores"] >= 1 and hw["cpu"]
