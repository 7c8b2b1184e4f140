"""Chapter code fits the page: code cells of the chapters listed here are at most 88 columns (issue 10.6)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 88
CHECKED = ("07", "08", "09", "10", "11", "13", "14", "15")
# The Colab install line is the same in every chapter and generated with the notebooks (issue 15).
SHARED = 'get_ipython().run_line_magic("pip", "install -q git+'


def _long_code_lines(path: Path) -> list[str]:
    long, inside = [], False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("```{code-cell}"):
            inside = True
        elif inside and line.startswith("```"):
            inside = False
        elif inside and not line.startswith(":") and len(line) > WIDTH and SHARED not in line:
            long.append(f"{path.name}:{number} ({len(line)} columns)")
    return long


@pytest.mark.parametrize("prefix", CHECKED)
def test_code_cells_fit_in_88_columns(prefix):
    (path,) = ROOT.glob(f"chapters/{prefix}_*.md")
    assert _long_code_lines(path) == []
