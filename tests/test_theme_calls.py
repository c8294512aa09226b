"""The theme's Jinja environment calls things and imports macros exactly as Jinja does.

trombino's environment (``Theme.environment``) takes shortcuts on every call a
template makes, on every ``{% from … import %}`` and on every ``{{ value }}``
it escapes (see ``trombino.jinja_env``).
Each template here is rendered by it and by a stock ``jinja2.Environment`` with
the same options; the outputs must be equal, whatever kind of callable is called.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from markupsafe import Markup

from trombino.theme import Theme


def shout(text: str) -> str:
    return text.upper()


@jinja2.pass_context
def greet(context: jinja2.runtime.Context, punctuation: str) -> str:
    return f"hello {context['name']}{punctuation}"


@jinja2.pass_eval_context
def autoescaping(eval_context: jinja2.nodes.EvalContext) -> str:
    return f"autoescape={eval_context.autoescape}"


@jinja2.pass_environment
def option(environment: jinja2.Environment) -> str:
    return f"trim_blocks={environment.trim_blocks}"


def exhausted() -> str:
    raise StopIteration


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, step: int = 1) -> int:
        self.calls += step
        return self.calls

    def plain(self) -> str:
        return "plain method"

    @jinja2.pass_context
    def marked(self, context: jinja2.runtime.Context) -> str:
        return f"method saw {context['name']}"


class ContextCallable:
    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> str:
        return f"object saw {context['name']}"


class Marked:
    """An object whose class is marked (not its ``__call__``): Jinja passes the environment."""

    jinja_pass_arg = option.jinja_pass_arg  # type: ignore[attr-defined]

    def __call__(self, environment: jinja2.Environment) -> str:
        return f"class mark, lstrip_blocks={environment.lstrip_blocks}"


class Echo:
    def __call__(self, *args: object) -> str:
        return "echo " + " ".join("Context" if isinstance(arg, jinja2.runtime.Context) else type(arg).__name__ for arg in args)


def marked_instance() -> Echo:
    echo = Echo()
    echo.jinja_pass_arg = greet.jinja_pass_arg  # type: ignore[attr-defined]  # Jinja then passes the context
    return echo


def instance_with_own_call() -> Echo:
    echo = Echo()
    echo.__call__ = greet  # type: ignore[method-assign]  # Jinja calls the instance's own (marked) __call__
    return echo


TEMPLATES = {
    "macros.html": (
        "{% macro box(title, kind='note') -%}<div class='{{ kind }}'>{{ title }}: {{ caller() if caller is defined else '-' }} {{ site_name }} {{ extra | default('no extra') }}</div>{%- endmacro %}"
        "{% macro many() -%}{{ varargs | join(',') }}|{{ kwargs | dictsort | join(',') }}{%- endmacro %}"
    ),
    "page.html": (
        "{% from 'macros.html' import box, many %}"
        "{{ shout('a<b') }} {{ greet('!') }} {{ autoescaping() }} {{ option() }}\n"
        "{% for item in [1] %}{% set name = 'loop-var' %}{{ greet('?') }} {{ counter.marked() }}{% endfor %}\n"
        "{% set name = 'set-var' %}{{ greet('.') }}\n"
        "{% block body %}{% set name = 'block-var' %}{{ greet(';') }}{% endblock %}\n"
        "{{ counter() }} {{ counter(step=2) }} {{ counter.plain() }} {{ context_callable() }} {{ marked() }}\n"
        "{{ marked_instance('x') }} {{ own_call('.') }} {{ echo(1) }}\n"
        "{{ len([1, 2]) }} {{ mapping.get('k') }} {{ range(3) | list }} {{ dict(a=1) }} {{ ' - '.join(['x', 'y']) }}\n"
        "{{ exhausted() is defined }}\n"
        "{{ box('plain') }} {{ box('kind', kind='warn') }}\n"
        "{% call box('called') %}inside <b>{{ name }}</b>{% endcall %}\n"
        "{% for item in [1, 2] %}{% call box(item) %}loop {{ item }}{% endcall %}{% endfor %}\n"
        "{{ many(1, 2, a=3) }}\n"
        "{% set ns = namespace(total=0) %}{% for i in range(3) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}\n"
        "{% set comma = joiner(',') %}{% for i in range(3) %}{{ comma() }}{{ i }}{% endfor %}"
    ),
}


def globals_for_test() -> dict:
    return {
        "shout": shout,
        "greet": greet,
        "autoescaping": autoescaping,
        "option": option,
        "exhausted": exhausted,
        "counter": Counter(),
        "context_callable": ContextCallable(),
        "marked": Marked(),
        "marked_instance": marked_instance(),
        "own_call": instance_with_own_call(),
        "echo": Echo(),
        "len": len,
        "mapping": {"k": "v<"},
        "dict": dict,
        "site_name": "Acme & Co",
    }


def environments(tmp_path: Path) -> tuple[jinja2.Environment, jinja2.Environment]:
    ours = Theme(tmp_path, "default").environment()
    stock = jinja2.Environment(
        autoescape=ours.autoescape,
        undefined=ours.undefined,
        trim_blocks=ours.trim_blocks,
        lstrip_blocks=ours.lstrip_blocks,
        keep_trailing_newline=ours.keep_trailing_newline,
    )
    assert type(ours) is not jinja2.Environment, "the theme's environment is no longer trombino's own: this test compares nothing"
    for environment in (ours, stock):
        environment.loader = jinja2.DictLoader(TEMPLATES)
        environment.globals.update(globals_for_test())
    return ours, stock


def test_calls_render_as_jinja_renders_them(tmp_path: Path) -> None:
    ours, stock = environments(tmp_path)
    expected = stock.get_template("page.html").render(name="ana")
    assert ours.get_template("page.html").render(name="ana") == expected
    # The page exercises what it claims to (a stock Jinja that changed its ways would show here).
    assert "hello ana!" in expected and "hello loop-var?" in expected and "method saw loop-var" in expected
    assert "hello block-var;" in expected and "hello set-var." in expected and "object saw set-var" in expected and "class mark, lstrip_blocks=True" in expected
    assert "echo Context str hello set-var." in expected  # the instance's mark; the instance's own __call__
    assert "autoescape=True" in expected and "A&lt;B" in expected and "False" in expected
    assert "inside <b>set-var</b>" in expected and "loop 2" in expected and "1,2|(&#39;a&#39;, 3)" in expected


def test_imported_macros_see_the_importing_templates_own_globals(tmp_path: Path) -> None:
    # A template loaded with globals of its own hands them to the macros it imports (Jinja
    # compares the two templates' global names at each import; trombino speeds that up).
    ours, stock = environments(tmp_path)
    for environment in (ours, stock):
        environment.cache = None  # each get_template below loads its own copy with its own globals
    expected = stock.get_template("page.html", globals={"extra": "EXTRA"}).render(name="ana")
    assert "EXTRA" in expected
    assert ours.get_template("page.html", globals={"extra": "EXTRA"}).render(name="ana") == expected
    assert "EXTRA" not in ours.get_template("page.html").render(name="ana")


@pytest.mark.parametrize("template", ["{{ undefined_function() }}", "{{ counter.missing() }}"])
def test_calling_what_is_not_there_fails_as_in_jinja(tmp_path: Path, template: str) -> None:
    ours, stock = environments(tmp_path)
    with pytest.raises(jinja2.UndefinedError) as from_stock:
        stock.from_string(template).render()
    with pytest.raises(jinja2.UndefinedError) as from_ours:
        ours.from_string(template).render()
    assert str(from_ours.value) == str(from_stock.value)


class Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class Shouting(str):
    def __str__(self) -> str:
        return self.upper()


@pytest.mark.parametrize(
    "value",
    ["plain", "<script>alert('x') & \"y\"</script>", "", Markup("<i>safe</i> &amp;"), Html(), 42, 3.5, None, True, Shouting("<quiet>"), ["<a>", 1], {"k": "<v>"}],
)
def test_values_are_escaped_as_jinja_escapes_them(tmp_path: Path, value: object) -> None:
    ours, stock = environments(tmp_path)
    template = "{{ value }}|{{ value ~ '<' }}|{{ value | string }}|{% if value %}{{ value }}{% endif %}|{% set v = value %}{{ v }}{{ '<&>' }}"
    expected = stock.from_string(template).render(value=value)
    assert ours.from_string(template).render(value=value) == expected
    assert "<&>" not in expected  # the stock environment escapes: the comparison means something
