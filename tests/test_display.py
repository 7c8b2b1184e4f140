"""aebook.display.show_source: a page shows the library's own code."""

from __future__ import annotations

import functools
import inspect

import pytest

from aebook import metrics
from aebook.display import Source, show_source


def test_source_is_the_library_text_and_renders_as_a_python_block():
    src = show_source(metrics.reconstruction_error)
    assert isinstance(src, Source)
    assert src.name == "aebook.metrics.reconstruction_error"
    assert src.code == inspect.getsource(metrics.reconstruction_error)
    md = src._repr_markdown_()
    assert md.splitlines()[2] == "```python"
    assert md.rstrip().endswith("```")
    assert "def reconstruction_error(" in md
    assert repr(src).startswith("# source of aebook.metrics.reconstruction_error")


def test_decorated_functions_are_unwrapped_and_classes_work():
    def deco(f):
        @functools.wraps(f)
        def inner(*a, **k):
            return f(*a, **k)

        return inner

    @deco
    def original(x):
        return x + 1

    assert "return x + 1" in show_source(original).code
    assert show_source(Source).code.startswith("@dataclass")


def test_a_fence_inside_the_code_gets_a_longer_fence():
    src = Source("m.f", 'def f():\n    """```x```"""\n')
    assert "````python" in src._repr_markdown_()


@pytest.mark.parametrize("bad", [len, 3, "aebook.fit"])
def test_objects_without_python_source_are_rejected_with_the_fix(bad):
    with pytest.raises(TypeError, match=r"show_source\(obj\)"):
        show_source(bad)


def test_several_objects_follow_each_other_in_order():
    src = show_source(metrics.reconstruction_error, metrics.psnr)
    assert src.name == "aebook.metrics.reconstruction_error, aebook.metrics.psnr"
    assert src.code.index("def reconstruction_error(") < src.code.index("def psnr(")
    assert "`aebook.metrics.psnr`" in src._repr_markdown_()
    with pytest.raises(TypeError, match="at least one"):
        show_source()
