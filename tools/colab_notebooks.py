"""Generate the Colab notebooks (``notebooks/*.ipynb``) from the book's chapters.

Google Colab opens only ``.ipynb`` files, while the chapters are jupytext MyST
markdown (``chapters/*.md``). This script turns every chapter listed in
``_toc.yml`` that is a notebook (it has a kernelspec) into
``notebooks/<name>.ipynb`` with no outputs, so that the "open in Colab"
button of each page has a notebook to open. Run it after changing a chapter::

    make notebooks            # or: python tools/colab_notebooks.py

``python tools/colab_notebooks.py --check`` writes nothing and exits with 1 if a
committed notebook is missing or out of date (``tests/test_notebooks.py``
checks the same).

The conversion is deterministic (fixed cell ids, sorted keys), so a notebook
changes only when its chapter does. MyST-only markup that Colab would show
raw is simplified: target labels ``(name)=`` are dropped, labelled equations
are numbered within the chapter, notes become block quotes, citations become
"Author (year)" and references to chapters become the chapter's title.

The repository URL and branch live in one place, ``_config.yml``
(``repository.url``/``repository.branch``); :func:`colab_url` builds the link
that ``tools/colab_launch.py`` puts behind each page's Colab button.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = "chapters"
NOTEBOOKS = "notebooks"
COLAB_URL = "https://colab.research.google.com"

__all__ = [
    "book_config",
    "colab_url",
    "equation_numbers",
    "main",
    "myst_to_colab_markdown",
    "notebook_for_docname",
    "notebook_text",
    "toc_chapters",
    "sync",
]


# --------------------------------------------------------------------------
# the book's configuration
# --------------------------------------------------------------------------
def book_config(root: Path = ROOT) -> dict:
    """The parsed ``_config.yml`` of the book at ``root``."""
    import yaml

    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


def repository(root: Path = ROOT) -> tuple[str, str]:
    """``(url, branch)`` of the repository, from ``_config.yml`` (the one place that names it)."""
    repo = book_config(root).get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    if url.endswith(".git"):
        url = url[: -len(".git")]
    if not url:
        raise ValueError("_config.yml has no repository.url: set it to the book's GitHub repository")
    return url, str(repo.get("branch") or "main")


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """Every ``.md`` file that ``_toc.yml`` lists (root page first), in book order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[Path] = [root / f"{toc['root']}.md"]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(root / f"{node['file']}.md")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def is_notebook(md_path: Path) -> bool:
    """True if the markdown file is a jupytext notebook (its front matter has a kernelspec)."""
    text = md_path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("\n---", 1)[0]
    return "kernelspec:" in front


def notebook_for_docname(docname: str) -> str:
    """Repository-relative path of the Colab notebook of a page.

    ``chapters/01_what_is_an_autoencoder`` -> ``notebooks/01_what_is_an_autoencoder.ipynb``.
    """
    name = docname[len(CHAPTERS) + 1 :] if docname.startswith(CHAPTERS + "/") else docname
    return f"{NOTEBOOKS}/{name}.ipynb"


def docname_of(md_path: Path, root: Path = ROOT) -> str:
    """The Sphinx docname of a chapter file (its path relative to the book, without suffix)."""
    return md_path.resolve().relative_to(root.resolve()).with_suffix("").as_posix()


def colab_url(docname: str, root: Path = ROOT, colab: str | None = None,
              url: str | None = None, branch: str | None = None) -> str:
    """The Colab link of a page: Colab's GitHub loader + repository + branch + notebook path.

    ``url``/``branch`` default to ``_config.yml``'s ``repository`` entries.
    """
    if url is None or branch is None:
        url, branch = repository(root)
    url = url.rstrip("/").removesuffix(".git")
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    if not match:
        raise ValueError(f"Colab opens notebooks from GitHub only; repository.url is {url!r}")
    org, repo = match.groups()
    base = (colab or (book_config(root).get("launch_buttons") or {}).get("colab_url") or COLAB_URL)
    return f"{base.rstrip('/')}/github/{org}/{repo}/blob/{branch}/{notebook_for_docname(docname)}"


# --------------------------------------------------------------------------
# MyST -> plain (Colab) markdown
# --------------------------------------------------------------------------
def _bib_entries(root: Path) -> dict[str, str]:
    """Map each key of ``references.bib`` to a short 'Author' text and its year."""
    bib = root / "references.bib"
    if not bib.exists():
        return {}
    entries: dict[str, str] = {}
    text = bib.read_text(encoding="utf-8")
    for match in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", text, flags=re.S):
        key, body = match.groups()
        author = re.search(r"\bauthor\s*=\s*[{\"](.*?)[}\"]\s*,?\s*\n", body, flags=re.S)
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body)
        names = []
        if author:
            for person in re.split(r"\s+and\s+", " ".join(author.group(1).split())):
                person = person.strip().replace("{", "").replace("}", "")
                last = person.split(",")[0] if "," in person else person.split(" ")[-1]
                names.append(last.strip())
        if not names:
            label = key
        elif len(names) == 1:
            label = names[0]
        elif len(names) == 2:
            label = f"{names[0]} and {names[1]}"
        else:
            label = f"{names[0]} et al."
        entries[key] = f"{label}\t{year.group(1) if year else 'n.d.'}"
    return entries


def _chapter_titles(root: Path) -> dict[str, str]:
    """Map each chapter label ``(label)=`` to the title that follows it.

    Only chapters listed in ``_toc.yml`` count, so that a stray or unfinished
    file in the working tree cannot change the generated notebooks.
    """
    titles: dict[str, str] = {}
    for md in toc_chapters(root):
        if not md.exists():
            continue
        lines = md.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines[:-1]):
            match = re.fullmatch(r"\(([\w.:-]+)\)=\s*", line)
            if match and lines[i + 1].startswith("#"):
                titles[match.group(1)] = lines[i + 1].lstrip("#").strip()
    return titles


_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_EQ_END = re.compile(r"^\$\$\s*\(([\w.:-]+)\)\s*$", flags=re.M)
_ADMONITION = re.compile(
    r"^```\{(admonition|dropdown|note|tip|hint|important|warning|caution|attention|danger|error|seealso)\}"
    r"[ \t]*([^\n]*)\n(.*?)\n```[ \t]*$", flags=re.S | re.M)


def equation_numbers(markdown_cells: list[str]) -> dict[str, int]:
    """Number the labelled ``$$`` blocks of one chapter 1, 2, ... in order of appearance."""
    labels = [m.group(1) for text in markdown_cells for m in _EQ_END.finditer(text)]
    return {label: i for i, label in enumerate(dict.fromkeys(labels), start=1)}


def _admonition(match: re.Match) -> str:
    kind, title, body = match.groups()
    lines = body.splitlines()
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        lines.pop(0)  # directive options such as :class: note
    heading = title.strip() if kind in ("admonition", "dropdown") and title.strip() else kind.capitalize()
    return "\n".join([f"> **{heading}**", ">"] + [f"> {line}".rstrip() for line in lines])


def myst_to_colab_markdown(text: str, bib: dict[str, str], titles: dict[str, str],
                           equations: dict[str, int] | None = None) -> str:
    """Simplify the MyST markup of one markdown cell for Colab's plain Markdown renderer.

    Target labels go, labelled equations get a ``\tag`` with their number in
    the chapter (``equations``), admonitions become block quotes and roles
    become text: citations "Author (year)", chapter references their title.
    """
    equations = equations or {}
    lines = []
    for line in text.splitlines():
        if re.fullmatch(r"\([\w.:-]+\)=\s*", line):
            continue  # a target label: meaningless outside the book
        end = _EQ_END.fullmatch(line)
        if end:
            number = equations.get(end.group(1))
            lines.extend([rf"\tag{{{number}}}", "$$"] if number else ["$$"])
            continue
        lines.append(line)
    text = "\n".join(lines)
    # fenced directives that only the book can render
    text = re.sub(r"```\{bibliography\}.*?```", "", text, flags=re.S)
    text = _ADMONITION.sub(_admonition, text)

    def cite(keys: str, parenthetical: bool) -> str:
        parts = []
        for key in (k.strip() for k in keys.split(",")):
            who, _, year = bib.get(key, f"{key}\tn.d.").partition("\t")
            parts.append(f"{who} {year}" if parenthetical else f"{who} ({year})")
        return f"({'; '.join(parts)})" if parenthetical else "; ".join(parts)

    def role(match: re.Match) -> str:
        name, content = match.groups()
        explicit = re.fullmatch(r"(.*?)\s*<([^>]+)>", content, flags=re.S)
        if name in ("cite:t", "cite"):
            return cite(content, parenthetical=False)
        if name == "cite:p":
            return cite(content, parenthetical=True)
        if explicit:
            return explicit.group(1)
        if name in ("ref", "doc"):
            return f"*{titles[content]}*" if content in titles else content
        if name == "numref":
            return "the figure" if content.startswith("fig") else content
        if name == "eq":
            return f"({equations[content]})" if content in equations else f"({content})"
        return f"`{content}`" if name in ("code", "literal") else content

    return _ROLE.sub(role, text)


# --------------------------------------------------------------------------
# chapter -> notebook
# --------------------------------------------------------------------------
def colab_note(source: str, root: Path = ROOT) -> str:
    """The short note put before a notebook's first code cell (the install cell)."""
    url, branch = repository(root)
    return (
        "> **Running this chapter in Colab.** It is generated from "
        f"[`{source}`]({url}/blob/{branch}/{source}). The next cell installs the book's library, "
        "`aebook`, from the repository; MNIST and Fashion-MNIST are downloaded on first use. "
        "By default every model is trained with the paper's settings (`paper` profile); for a run of "
        "a few minutes, execute `%env AEBOOK_PROFILE=quick` first. With a GPU runtime "
        "(*Runtime → Change runtime type*), TensorFlow trains on the GPU by itself."
    )


def notebook_text(md_path: Path, root: Path = ROOT) -> str:
    """The Colab notebook of one chapter, as the exact text written to ``notebooks/``."""
    import jupytext
    import nbformat

    nb = jupytext.read(str(md_path))
    bib, titles = _bib_entries(root), _chapter_titles(root)
    equations = equation_numbers([c["source"] for c in nb.cells if c.cell_type == "markdown"])
    source = docname_of(md_path, root) + ".md"
    cells = []
    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            if not any(c.cell_type == "code" for c in cells):
                cells.append(nbformat.v4.new_markdown_cell(colab_note(source, root)))
            cell["outputs"] = []
            cell["execution_count"] = None
        elif cell.cell_type == "markdown":
            cell["source"] = myst_to_colab_markdown(cell["source"], bib, titles, equations)
        cells.append(cell)
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:03d}"
    kernelspec = nb.metadata.get("kernelspec") or {
        "display_name": "Python 3", "language": "python", "name": "python3"}
    out = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": kernelspec,
            "language_info": {"name": "python"},
            "colab": {"name": Path(notebook_for_docname(docname_of(md_path, root))).name,
                      "provenance": []},
            "aebook": {"generated_from": source,
                       "note": "generated by tools/colab_notebooks.py; edit the chapter, not this file"},
        },
    )
    out.nbformat, out.nbformat_minor = 4, 5
    nbformat.validate(out)
    return nbformat.writes(out) + "\n"


def expected_notebooks(root: Path = ROOT) -> dict[Path, Path]:
    """``{notebook path: chapter path}`` for every notebook chapter in ``_toc.yml``."""
    mapping: dict[Path, Path] = {}
    for md in toc_chapters(root):
        if not md.exists():
            raise FileNotFoundError(f"_toc.yml lists {md.relative_to(root)}, which does not exist")
        if is_notebook(md):
            mapping[root / notebook_for_docname(docname_of(md, root))] = md
    return mapping


def _generated_by_us(path: Path) -> bool:
    import json

    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return "generated_from" in meta.get("aebook", {})


def sync(root: Path = ROOT, check: bool = False) -> list[str]:
    """Bring ``notebooks/`` in line with the chapters; return what changed (or would change).

    With ``check=True`` nothing is written. Notebooks that no chapter produces are
    removed only if this script generated them (their metadata says so).
    """
    changes: list[str] = []
    expected = expected_notebooks(root)
    for nb_path, md in expected.items():
        text = notebook_text(md, root)
        old = nb_path.read_text(encoding="utf-8") if nb_path.exists() else None
        if old == text:
            continue
        changes.append(f"{'update' if old is not None else 'create'} {nb_path.relative_to(root)}"
                       f" (from {md.relative_to(root)})")
        if not check:
            nb_path.parent.mkdir(parents=True, exist_ok=True)
            nb_path.write_text(text, encoding="utf-8")
    folder = root / NOTEBOOKS
    for nb_path in sorted(folder.rglob("*.ipynb")) if folder.exists() else []:
        if nb_path not in expected and _generated_by_us(nb_path):
            changes.append(f"remove {nb_path.relative_to(root)} (no chapter in _toc.yml produces it)")
            if not check:
                nb_path.unlink()
    return changes


def main(argv: list[str] | None = None) -> int:
    """Command line: write (or ``--check``) the Colab notebooks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if notebooks/ is out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder (default: this repo)")
    args = parser.parse_args(argv)
    changes = sync(args.root.resolve(), check=args.check)
    for line in changes:
        print(line)
    if args.check and changes:
        print("notebooks/ is out of date: run `make notebooks` and commit the result", file=sys.stderr)
        return 1
    print(f"{len(expected_notebooks(args.root.resolve()))} notebooks "
          f"{'checked' if args.check else 'up to date'} in {NOTEBOOKS}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
