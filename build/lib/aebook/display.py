"""Show library code on a page: the source of an ``aebook`` function or class.

A chapter that uses a builder or helper for the first time shows its source
as it is in the installed library when the page is built, so the page and
the library cannot drift apart (nothing is copied by hand).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

__all__ = ["Source", "show_source"]


@dataclass(frozen=True)
class Source:
    """The source code of one object; Jupyter shows it as a Python code block.

    ``name`` is the object's qualified name (``module.function``), ``code``
    its source text exactly as ``inspect.getsource`` returns it.
    """

    name: str
    code: str

    def _repr_markdown_(self) -> str:
        fence = "````" if "```" in self.code else "```"
        names = ", ".join(f"`{n}`" for n in self.name.split(", "))
        return f"Source of {names}:\n\n{fence}python\n{self.code.rstrip()}\n{fence}\n"

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:  # plain-text frontends (nbval, a terminal)
        return f"# source of {self.name}\n{self.code.rstrip()}"


def _one_source(obj) -> Source:
    target = inspect.unwrap(obj) if callable(obj) else obj
    if not (inspect.isfunction(target) or inspect.isclass(target) or inspect.ismethod(target)):
        raise TypeError(
            f"show_source(obj): expected a Python function, class or method, got "
            f"{type(obj).__name__!r}; pass the function itself, e.g. show_source(aebook.fit)"
        )
    try:
        code = inspect.getsource(target)
    except (OSError, TypeError) as err:  # defined in a notebook or compiled code
        raise TypeError(f"show_source(obj): no source file for {target!r} ({err})") from err
    return Source(name=f"{target.__module__}.{target.__qualname__}", code=code)


def show_source(*objs) -> Source:
    """Return the source of functions, classes or methods, for display in a page.

    With several objects the sources follow each other, separated by a blank
    line, in the order given. Decorated functions are unwrapped first
    (``functools.wraps`` keeps the original in ``__wrapped__``). Raises
    ``TypeError`` naming the argument when an object has no Python source (a
    built-in, a number, an instance, a name as a string): pass the function
    or class itself, e.g. ``show_source(aebook.fit)``.
    """
    if not objs:
        raise TypeError("show_source(obj): pass at least one function or class")
    parts = [_one_source(obj) for obj in objs]
    return Source(name=", ".join(p.name for p in parts),
                  code="\n\n".join(p.code.rstrip() + "\n" for p in parts))
