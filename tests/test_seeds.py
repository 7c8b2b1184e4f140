"""tools/seeds.py (make seeds): which chapters it runs, and its arguments."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import seeds  # noqa: E402


def test_it_runs_every_notebook_chapter_of_the_toc_and_no_plain_page():
    names = [p.name for p in seeds.toc_chapters()]
    assert names[0].startswith("00_") and names[-1].startswith("18_")
    assert "references.md" not in names
    assert len(names) == len({n[:2] for n in names}) == 19


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "1", "--jobs", "0"], "--jobs 0"),
    (["--seeds", "1", "--chapters", "99"], "matches no chapter"),
])
def test_bad_arguments_are_refused_before_anything_runs(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        seeds.main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
