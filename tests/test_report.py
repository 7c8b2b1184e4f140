"""Tests of the reproduction report (aebook.report) and its command line (python -m aebook reproduce)."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from aebook import paper, report
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
    page = (out / "results.html").read_text()
    assert page.count("data:image/png;base64,") == 1  # one figure: ours against the paper
    assert "the band is only the rounding" in page  # each band's reason is on the page
    assert "outside its band: table3/l_d2" in proc.stdout  # the erratum row, on the console
    for noise in ("oneDNN", "cudart_stub", "absl::InitializeLog"):
        assert noise not in proc.stdout + proc.stderr


def test_cli_keeps_tensorflow_start_up_lines_out_even_when_it_loads_tensorflow(tmp_path):
    """A run that imports TensorFlow (here: an experiment that fails at once) prints none of its
    start-up lines, even with TF_CPP_MIN_LOG_LEVEL=3, which does not silence them on its own."""
    code = ("import sys, aebook.report as r, aebook.__main__ as m\n"
            "def boom(profile=None, seed=None):\n    raise RuntimeError('no data here')\n"
            "r.EXPERIMENTS = (r.Experiment('boom', 'Boom', '§0', boom, True, ()),)\n"
            "sys.exit(m.main(['reproduce', '--profile', 'quick', '--out', sys.argv[1]]))\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "o")], env=env,
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 1
    assert "FAILED boom: RuntimeError: no data here" in proc.stdout  # the reason, on the console
    for noise in ("oneDNN", "cudart_stub", "absl::InitializeLog", "cpu_feature_guard"):
        assert noise not in proc.stdout + proc.stderr, noise


@pytest.mark.parametrize("args, message", [
    (["--profile", "fast"], "unknown profile 'fast'"),
    (["--seeds", "0"], "--seeds must be >= 1"),
    (["--only", "table4"], "unknown experiment"),
    (["--only", ""], "--only '' names no experiment"),
    (["--only", " , "], "names no experiment"),
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


def test_cli_default_out_is_the_folder_chapter_15_shows():
    from aebook import __main__

    top, reproduce = __main__._parsers()
    assert reproduce.get_default("out") == __main__.DEFAULT_OUT == "results"
    chapter = (ROOT / "chapters" / "15_reproducing_the_paper.md").read_text()
    assert f"--out {__main__.DEFAULT_OUT}/" in chapter


def test_cli_exit_code_2_from_a_real_process(tmp_path):
    proc = run_cli("reproduce", "--profile", "fast", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert proc.returncode == 2 and "unknown profile 'fast'" in proc.stderr


# ------------------------------------------------------------------- the library functions
def _fake_experiment(calls):
    def fake(profile=None, seed=None):
        calls.append(seed)
        return {"a": float(seed), "b": 2.0, "c": 5.0, "label": "x"}
    return fake


def _why(text="a test band"):
    return text


@pytest.fixture
def fake_experiment(monkeypatch):
    """A registry with one seeded fake experiment whose numbers depend on the seed."""
    calls = []
    exp = report.Experiment("fake", "Fake", "§0", _fake_experiment(calls), True, (
        paper.Headline("a", "seed", None, "-", 40.0, 43.0, "[40, 43]", _why()),
        paper.Headline("b", "two", 2.0, "2", 2.5, None, ">= 2.5", _why("b's reason")),
        paper.Headline("c", "five", None, "-", None, None, "-", _why()),
    ))
    monkeypatch.setattr(report, "EXPERIMENTS", (exp,))
    return calls


def _replace_run(monkeypatch, fn):
    (exp,) = report.EXPERIMENTS
    monkeypatch.setattr(report, "EXPERIMENTS", (dataclasses.replace(exp, run=fn),))


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
    assert heads["b"]["band"]["why"] == "b's reason"
    assert res["summary"] == {"pass": 1, "fail": 1, "info": 1, "errors": 0}
    assert res["experiments"][0]["details"] == {"label": "x"}
    assert len(lines) == 2 and all("\r" not in line for line in lines)


def test_run_report_iterate_wraps_the_experiments(fake_experiment):
    seen = []

    def wrap(exps):
        seen.extend(e.name for e in exps)
        return iter(exps)

    report.run_report("quick", iterate=wrap)
    assert seen == ["fake"]


def test_run_report_records_a_failing_experiment_and_says_why(fake_experiment, monkeypatch):
    def broken(profile=None, seed=None):
        raise RuntimeError("boom")

    _replace_run(monkeypatch, broken)
    lines = []
    res = report.run_report("quick", progress=lines.append)
    assert res["experiments"][0]["status"] == "error" and "boom" in res["experiments"][0]["error"]
    assert any("RuntimeError: boom" in line for line in lines)  # the reason, not only "error"
    assert res["summary"]["errors"] == 1
    report.validate_results(res)
    assert "error" in report.to_markdown(res)


def test_run_report_a_missing_headline_is_an_error(fake_experiment, monkeypatch):
    _replace_run(monkeypatch, lambda profile=None, seed=None: {"a": 41.0, "c": 1.0})
    res = report.run_report("quick")
    assert res["experiments"][0]["status"] == "error" and "['b']" in res["experiments"][0]["error"]


def test_run_report_non_finite_result_is_an_error(fake_experiment, monkeypatch, tmp_path):
    _replace_run(monkeypatch, lambda profile=None, seed=None: {"a": float("nan"), "b": 2.0, "c": 1.0})
    res = report.run_report("quick")
    assert res["experiments"][0]["status"] == "error" and "a=nan" in res["experiments"][0]["error"]
    jpath, _, hpath = report.write_report(res, tmp_path)  # still valid, strict JSON
    assert json.loads(jpath.read_text())["summary"]["errors"] == 1
    assert "did not run" in hpath.read_text()


def test_run_report_rejects_bad_arguments():
    with pytest.raises(ValueError, match="seeds must be an integer >= 1"):
        report.run_report("quick", seeds=0)
    with pytest.raises(ValueError, match="unknown experiment"):
        report.run_report("quick", only=["nope"])
    with pytest.raises(ValueError, match="only must name at least one"):
        report.run_report("quick", only=[""])
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
    table = report.table_html(res)
    assert table.count("<tr>") == 1 + 3 and "&lt;b&gt;two&lt;/b&gt;" in table and "<b>two" not in table


def test_html_page_has_a_figure_per_experiment_and_every_band_reason(fake_experiment, tmp_path):
    res = report.run_report("quick", seeds=2)
    page = report.to_html(res)
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 1
    assert "b&#x27;s reason" in page and page.count("a test band") == 2
    _, _, hpath = report.write_report(res, tmp_path)
    assert hpath.name == "results.html" and hpath.read_text().count("data:image/png;base64,") == 1


def test_headline_figure_shades_the_band_and_marks_paper_and_ours(fake_experiment):
    res = report.run_report("quick", seeds=3)
    fig = report.headline_figure(res["experiments"][0])
    axes = fig.axes
    assert len(axes) == 2  # a and b have a band or a paper value; c is information only
    band_a = axes[0].patches[0].get_extents()  # the shaded band [40, 43]
    lo, hi = axes[0].get_xlim()
    x0, x1 = (axes[0].transData.inverted().transform([[band_a.x0, 0], [band_a.x1, 0]])[:, 0])
    assert math.isclose(x0, 40.0, abs_tol=1e-6) and math.isclose(x1, 43.0, abs_tol=1e-6)
    assert lo < 40.0 and hi > 43.0
    # b: band [2.5, inf) runs to the right edge; the paper's 2 is marked outside it
    x0, x1 = axes[1].transData.inverted().transform(
        [[axes[1].patches[0].get_extents().x0, 0], [axes[1].patches[0].get_extents().x1, 0]])[:, 0]
    assert math.isclose(x0, 2.5, abs_tol=1e-6) and math.isclose(x1, axes[1].get_xlim()[1], rel_tol=1e-6)
    labels = [line.get_label() for line in axes[1].get_lines()]
    assert "paper" in labels and "each seed" in labels
    assert "does not meet" in axes[1].get_title(loc="left")


def test_cli_strict_exits_1_when_a_number_misses_its_band(fake_experiment, tmp_path, capsys):
    args = ["reproduce", "--profile", "quick", "--out", str(tmp_path / "o")]
    assert cli_main(args) == 0  # b misses its band, but only --strict makes that an error
    out = capsys.readouterr().out
    assert "outside its band: fake/b = 2" in out
    assert cli_main([*args, "--strict"]) == 1
    assert (tmp_path / "o" / "results.html").is_file()


def test_a_band_applies_only_to_the_profiles_that_can_support_it(monkeypatch):
    heads = (paper.Headline("acc", "accuracy", 96.4, "96.4 %", 93.4, 99.4, "± 3", "paper only",
                            profiles=("paper",)),)
    exp = report.Experiment("e", "E", "§0", lambda profile=None, seed=None: {"acc": 80.0}, False, heads)
    monkeypatch.setattr(report, "EXPERIMENTS", (exp,))
    quick = report.run_report("quick")["experiments"][0]["headlines"][0]
    assert quick["verdict"] == "info" and not quick["applies"]
    assert "paper profile only" in quick["band"]["text"]
    full = report.run_report("paper")["experiments"][0]["headlines"][0]
    assert full["verdict"] == "fail" and full["applies"]


def test_cli_strict_does_not_count_a_miss_the_papers_erratum_explains(monkeypatch, tmp_path, capsys):
    def run(profile=None, seed=None):
        return {"x": 0.032}

    heads = (paper.Headline("x", "l, d = 2", 0.003, "0.003", 0.0025, 0.0035, "± 0.0005", "rounding",
                            erratum="printed 0.003, but eq. 23 gives 0.032"),)
    monkeypatch.setattr(report, "EXPERIMENTS", (report.Experiment("e", "E", "§0", run, False, heads),))
    assert cli_main(["reproduce", "--profile", "quick", "--strict", "--out", str(tmp_path)]) == 0
    assert "erratum: printed 0.003" in capsys.readouterr().out
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["experiments"][0]["headlines"][0]["verdict"] == "fail"  # still reported as a miss
    assert res["experiments"][0]["headlines"][0]["erratum"] is True


def test_cli_strict_exits_0_when_every_number_meets_its_band(fake_experiment, monkeypatch, tmp_path):
    _replace_run(monkeypatch, lambda profile=None, seed=None: {"a": 41.0, "b": 3.0, "c": 1.0})
    assert cli_main(["reproduce", "--profile", "quick", "--strict", "--out", str(tmp_path)]) == 0


def test_cli_prints_a_failed_experiments_reason(fake_experiment, monkeypatch, tmp_path, capsys):
    def broken(profile=None, seed=None):
        raise OSError("disk full")

    _replace_run(monkeypatch, broken)
    assert cli_main(["reproduce", "--profile", "quick", "--only", "fake", "--out", str(tmp_path)]) == 1
    assert "FAILED fake: OSError: disk full" in capsys.readouterr().out


def test_experiments_are_callables_in_the_papers_order():
    names = report.experiment_names()
    assert names == ["reconstruction", "pca", "knn", "table3", "shoe", "denoising", "conv"]
    sections = [e.section for e in report.EXPERIMENTS]
    order = [float(s.split(",")[0].lstrip("§")) if s.count(".") < 2 else
             float(".".join(s.split(",")[0].lstrip("§").split(".")[:2])) for s in sections]
    assert order == sorted(order)
    for exp in report.EXPERIMENTS:
        assert callable(exp.run) and exp.run.__module__ == "aebook.experiments"
        keys = [h.key for h in exp.headlines]
        assert len(keys) == len(set(keys)) and keys
    assert len(names) == len(set(names))
