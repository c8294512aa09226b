"""Jinja, minus three of its costs: the environment the theme's templates render in.

Rendering is mostly Jinja's own work, and three of its habits cost more than
what the templates do: it asks every callable it calls how to call it, walks a
``ChainMap`` at every ``{% from … import %}``, and escapes every ``{{ value }}``
through Python code around markupsafe's C escaping. Each shortcut here gives
exactly Jinja's result (``tests/test_theme_calls.py`` compares with a stock
environment); see docs/performance.md for what they saved.
"""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import KeysView, MutableMapping
from itertools import chain
from types import CodeType, FunctionType, MethodType
from typing import Any, Callable

import jinja2
import jinja2.runtime
import markupsafe
from markupsafe import Markup


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling plain callables and macros without asking each call how.

    Jinja looks at every callable a template calls for a ``pass_context`` (or
    similar) mark, with four attribute lookups per call: about a tenth of the
    time spent rendering. A function or method carries its mark itself; any other
    object's is its type's, known once per type, unless the object itself
    defines ``__call__`` or a mark. Callables that want the evaluation context
    (macros) get it here; those that want more take Jinja's own way."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - named as Jinja names it
        kind = type(__obj)
        if kind is FunctionType:
            mark = getattr(__obj, "jinja_pass_arg", None)
        elif kind is MethodType:
            mark = getattr(__obj.__func__, "jinja_pass_arg", None)
        elif _OWN_MARKS.isdisjoint(getattr(__obj, "__dict__", ())):
            mark = _type_mark(kind)
        else:  # the object defines its own __call__ or mark
            return super().call(__obj, *args, **kwargs)
        if mark is _EVAL_CONTEXT:
            args = (__self.eval_ctx, *args)
        elif mark is not None:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


_OWN_MARKS = frozenset({"jinja_pass_arg", "__call__"})
_EVAL_CONTEXT = jinja2.pass_eval_context(lambda eval_context: None).jinja_pass_arg


@functools.cache
def _type_mark(kind: type) -> Any:
    """The mark Jinja finds on instances of ``kind``: their ``__call__``'s, else the class's."""
    return getattr(getattr(kind, "__call__", None), "jinja_pass_arg", None) or getattr(kind, "jinja_pass_arg", None)


class _Globals(ChainMap):
    """A template's globals whose keys are a real set view: Jinja subtracts them
    from the page's at every ``{% from … import %}``, which ChainMap's own keys
    made a Python loop per global."""

    def keys(self) -> KeysView:  # type: ignore[override]
        return dict.fromkeys(chain.from_iterable(self.maps)).keys()


# markupsafe's C escaping (markupsafe 3), without the Markup() made around it; None elsewhere.
_escape_text: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)
_make_string = str.__new__


def _quick_escape(value: Any) -> Markup:
    """``markupsafe.escape(value)``, making the Markup without calling its Python ``__new__``
    (for a plain string, that cost as much as the escaping itself; skipping it saved 6 % of
    the rendering time at 1k/10k)."""
    if type(value) is str:
        return _make_string(Markup, _escape_text(value))  # type: ignore[misc]
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return _make_string(Markup, _escape_text(str(value)))  # type: ignore[misc]


class _Template(jinja2.Template):
    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType, globals: MutableMapping[str, Any], uptodate: Callable[[], bool] | None = None) -> jinja2.Template:  # noqa: A002 - Jinja's name
        template = super().from_code(environment, code, globals, uptodate)
        if _escape_text is not None:
            # What the compiled template calls for each {{ value }} (imported there from jinja2.runtime).
            template.root_render_func.__globals__["escape"] = _quick_escape
        return template


class Environment(jinja2.Environment):
    """The environment every theme renders with (see the module's docstring)."""

    context_class = _Context
    template_class = _Template

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals({} if d is None else d, self.globals)
