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
        return f"Source of `{self.name}`:\n\n{fence}python\n{self.code.rstrip()}\n{fence}\n"

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:  # plain-text frontends (nbval, a terminal)
        return f"# source of {self.name}\n{self.code.rstrip()}"


def show_source(obj) -> Source:
    """Return the source of a function, class or method, for display in a page.

    Decorated functions are unwrapped first (``functools.wraps`` keeps the
    original in ``__wrapped__``). Raises ``TypeError`` naming the argument
    when ``obj`` has no Python source (a built-in, a number, an instance):
    pass the function or class itself, e.g. ``show_source(aebook.fit)``.
    """
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
    name = f"{target.__module__}.{target.__qualname__}"
    return Source(name=name, code=code)
