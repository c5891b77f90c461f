"""Tests of the ${name} template language: parsing, errors, rendering, and Template as a value."""

from __future__ import annotations

import collections.abc as cabc
import copy
import functools
import pickle
import re
import string
import threading
import types
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgtemplates import MissingParameters, MsgTemplatesError, Template, TemplateSyntaxError

# --- parsing and placeholders -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "placeholders"),
    [
        ("", ()),
        ("no placeholders at all", ()),
        ("Hello, ${who}", ("who",)),
        ("${who}", ("who",)),
        ("${a}${b}${a}", ("a", "b")),
        ("${b} then ${a} then ${b}", ("b", "a")),
        ("${_}", ("_",)),
        ("${shop.name} ${order-id} ${x_1.y-2}", ("shop.name", "order-id", "x_1.y-2")),
        ("${A.}${a-}", ("A.", "a-")),
        ("US$5", ()),
        ("$$", ()),
        ("ends with $", ()),
        ("$", ()),
        ("$$${who}", ("who",)),
        ("$who and $(who) and ${who}", ("who",)),
        ("{who} }{ ${who}}", ("who",)),
        ("line 1\r\nline 2 ${x}\n${y}", ("x", "y")),
    ],
)
def test_valid_source_lists_its_placeholders_in_order_of_first_appearance(
    source: str, placeholders: tuple[str, ...]
) -> None:
    template = Template(source)
    assert template.placeholders == placeholders
    assert template.source == source


@pytest.mark.parametrize(
    ("source", "lineno", "column"),
    [
        ("${", 1, 1),
        ("${}", 1, 1),
        ("${ who }", 1, 1),
        ("${1st}", 1, 1),
        ("${who", 1, 1),
        ("${who is here}", 1, 1),
        ("${.x}", 1, 1),
        ("${-x}", 1, 1),
        ("${{who}}", 1, 1),
        ("${wh/o}", 1, 1),
        ("${who\n}", 1, 1),
        ("${héllo}", 1, 1),
        ("Hello, ${", 1, 8),
        ("Hello, ${who", 1, 8),
        ("US$5 and $${}", 1, 11),
        ("${ok} ${}", 1, 7),
        ("first\nsecond ${}", 2, 8),
        ("first\n\n${1}", 3, 1),
        ("a\r\n${}", 2, 1),
        ("a\r${}", 1, 3),
        ("x\n\r${}", 2, 2),
        ("😀${}", 1, 2),
        ("😀\n😀😀 ${ x}", 2, 4),
        ("\ud800${}", 1, 2),
        ("${a}\n${b}\n  ${c", 3, 3),
    ],
)
def test_syntax_error_points_at_the_dollar_of_the_bad_placeholder(
    source: str, lineno: int, column: int
) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template(source)
    assert (info.value.lineno, info.value.column) == (lineno, column)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("${", ["unterminated", "${name}"]),
        ("${}", ["empty", "${name}"]),
        ("${ who }", ['" "', "${name}"]),
        ("${1st}", ['"1"', "${name}"]),
        ("${who", ["unterminated", '"${who"', '"}"']),
        ("${who is}", ['"${who"', '" "', '"}"']),
    ],
)
def test_syntax_error_message_says_what_is_wrong_and_what_is_allowed(
    source: str, words: list[str]
) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template(source)
    message = str(info.value).splitlines()[0]
    for word in words:
        assert word in message


def test_syntax_error_is_a_value_error_under_the_library_root() -> None:
    with pytest.raises(ValueError, match="empty") as info:
        Template("${}")
    assert isinstance(info.value, MsgTemplatesError)


def test_syntax_error_str_shows_the_offending_line_with_a_caret_under_the_dollar() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template("Dear customer,\nyour order ${1st} ships today.\nBye")
    lines = str(info.value).splitlines()
    assert "line 2, column 12" in lines[0]
    assert lines[1].strip() == "your order ${1st} ships today."
    caret = lines[2].index("^")
    assert lines[1][caret : caret + 2] == "${"
    assert lines[2].strip() == "^"


def test_syntax_error_str_cuts_a_long_name_in_the_message() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template("${" + "a" * 5000)
    assert len(str(info.value).splitlines()[0]) < 300


@pytest.mark.parametrize("source", [b"${who}", None, 42, ["${who}"], Template("x")])
def test_non_string_source_is_a_type_error(source: object) -> None:
    with pytest.raises(TypeError, match="must be a string"):
        Template(source)  # type: ignore[arg-type]


def test_source_may_be_given_by_keyword_as_design_spells_it() -> None:
    assert Template(source="Hi ${who}") == Template("Hi ${who}")


def test_string_subclass_source_is_kept_as_a_plain_string() -> None:
    class Text(str):
        pass

    template = Template(Text("Hi ${who}"))
    assert type(template.source) is str
    assert template.source == "Hi ${who}"
    assert template.render({"who": "A"}) == "Hi A"


# Hostile inputs: a quadratic or backtracking scanner would take minutes on these.
@pytest.mark.parametrize(
    ("source", "error_column"),
    [
        ("$" * 10_000_000, None),
        ("${" + "a" * 10_000_000, 1),
        ("${a}" * 250_000, None),
        ("$ {" * 3_000_000 + "${", 9_000_001),
        ("${a" + ".-" * 5_000_000 + " }", 1),
    ],
)
def test_ten_megabyte_hostile_sources_parse(source: str, error_column: int | None) -> None:
    if error_column is None:
        assert Template(source).source is source
    else:
        with pytest.raises(TemplateSyntaxError) as info:
            Template(source)
        assert (info.value.lineno, info.value.column) == (1, error_column)


# --- rendering ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "params", "expected"),
    [
        ("Hello, ${who}", {"who": "XiaoMing"}, "Hello, XiaoMing"),
        ("", {}, ""),
        ("plain", {"extra": "ignored"}, "plain"),
        ("${a}${b}${a}", {"a": "1", "b": "2"}, "121"),
        ("${a}", {"a": ""}, ""),
        ("US$5 for ${who}$", {"who": "$you"}, "US$5 for $you$"),
        ("${x}", {"x": "${x}"}, "${x}"),
        ("${x} ${y}", {"x": "${y}", "y": "${x}"}, "${y} ${x}"),
        ("a\r\n ${x}\t\n", {"x": "b\r\nc"}, "a\r\n b\r\nc\t\n"),
        ("\x00${x}\x00", {"x": "\x00"}, "\x00\x00\x00"),
        ("\ud800${x}\udfff", {"x": "\udc00"}, "\ud800\udc00\udfff"),
        ("👩‍👩‍👧 ${x} 🇭🇰", {"x": "😀"}, "👩‍👩‍👧 😀 🇭🇰"),
        ("${shop.name}/${order-id}", {"shop.name": "S", "order-id": "7"}, "S/7"),
        ("\u202e${x}\ufeff", {"x": "\u200b"}, "\u202e\u200b\ufeff"),
    ],
)
def test_render_inserts_values_as_is_and_keeps_every_other_character(
    source: str, params: dict[str, str], expected: str
) -> None:
    assert Template(source).render(params) == expected
    assert Template(source).render(params, missing="keep") == expected


def test_missing_parameters_are_listed_once_each_in_order_of_first_appearance() -> None:
    template = Template("${c} ${a} ${c} ${b} ${a} ${d}")
    with pytest.raises(MissingParameters) as info:
        template.render({"b": "present"})
    assert info.value.names == ("c", "a", "d")
    assert isinstance(info.value, LookupError)
    assert str(info.value) == "missing parameters: c, a, d"


def test_keep_leaves_each_missing_placeholder_as_its_source_text() -> None:
    template = Template("Hi ${who}, order ${order} (${who}) at ${shop.name}")
    assert (
        template.render({"order": "7"}, missing="keep")
        == "Hi ${who}, order 7 (${who}) at ${shop.name}"
    )


@pytest.mark.parametrize("value", [1, None, b"bytes", 1.5, ["a"], {"a": "b"}, True])
def test_non_string_value_is_a_type_error_naming_the_parameter(value: object) -> None:
    template = Template("Hello, ${greeting} ${who}")
    for missing in ("error", "keep"):
        with pytest.raises(TypeError, match=r'"who" must be a string, not ') as info:
            template.render({"greeting": "hi", "who": value}, missing=missing)  # type: ignore[dict-item]
        assert not isinstance(info.value, MsgTemplatesError)


def test_non_string_value_of_an_unused_parameter_is_ignored() -> None:
    assert Template("${a}").render({"a": "x", "b": 3}) == "x"  # type: ignore[dict-item]


def test_wrong_value_type_is_reported_before_missing_parameters() -> None:
    with pytest.raises(TypeError, match='"b"'):
        Template("${a} ${b}").render({"b": 3})  # type: ignore[dict-item]


def test_string_subclass_values_are_inserted() -> None:
    class Name(str):
        def __str__(self) -> str:
            return "never used"

    assert Template("Hi ${who}!").render({"who": Name("Ann")}) == "Hi Ann!"


class Params(cabc.Mapping[str, str]):
    """A read-only mapping that is not a dict."""

    def __init__(self, data: dict[str, str]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> cabc.Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@pytest.mark.parametrize(
    "wrap",
    [dict, types.MappingProxyType, Params],
)
def test_any_mapping_can_hold_the_parameters(
    wrap: cabc.Callable[[dict[str, str]], cabc.Mapping[str, str]],
) -> None:
    template = Template("${a}-${b}")
    assert template.render(wrap({"a": "1", "b": "2"})) == "1-2"
    with pytest.raises(MissingParameters) as info:
        template.render(wrap({"a": "1"}))
    assert info.value.names == ("b",)
    assert template.render(wrap({"b": "2"}), missing="keep") == "${a}-2"


@pytest.mark.parametrize(
    "params", [None, [("who", "A")], "who", 42, {"who"}, object(), b"who", (("who", "A"),)]
)
def test_params_that_are_not_a_mapping_are_a_type_error(params: object) -> None:
    with pytest.raises(TypeError, match="mapping"):
        Template("${who}").render(params)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mapping"):
        Template("no placeholders").render(params)  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", ["ignore", "ERROR", "", None, True, ["keep"]])
def test_invalid_missing_mode_is_a_value_error(missing: object) -> None:
    with pytest.raises(ValueError, match='"error" or "keep"'):
        Template("${who}").render({"who": "A"}, missing=missing)  # type: ignore[arg-type]


def test_missing_mode_given_as_a_built_string_is_accepted() -> None:
    mode = "".join(["err", "or"])
    assert Template("${a}").render({"a": "x"}, missing=mode) == "x"  # type: ignore[arg-type]


class Lying(str):
    """A string whose every text hook lies: only its str data may reach the output."""

    def __str__(self) -> str:
        return "str-hook"

    def __repr__(self) -> str:
        return "repr-hook"

    def __format__(self, spec: str) -> str:
        return "format-hook"

    def __add__(self, other: object) -> str:
        return "add-hook"

    def __radd__(self, other: object) -> str:
        return "radd-hook"


@pytest.mark.parametrize("source", ["${who}", "Hi ${who}!", "${a} ${who} ${a}", "${a}${b}${who}"])
@pytest.mark.parametrize("wrap", [dict, types.MappingProxyType])
@pytest.mark.parametrize("missing", ["error", "keep"])
def test_string_subclass_values_are_inserted_as_their_text_whatever_they_override(
    source: str,
    wrap: cabc.Callable[[dict[str, str]], cabc.Mapping[str, str]],
    missing: t.Literal["error", "keep"],
) -> None:
    params = {"a": Lying("A"), "b": "B", "who": Lying("Ann")}
    expected = source.replace("${a}", "A").replace("${b}", "B").replace("${who}", "Ann")
    rendered = Template(source).render(wrap(params), missing=missing)
    assert rendered == expected
    assert type(rendered) is str


class Counting(cabc.Mapping[str, object]):
    """A mapping that records every key it is asked for."""

    def __init__(self, data: dict[str, object]) -> None:
        self._data = data
        self.reads: list[str] = []

    def __getitem__(self, key: str) -> object:
        self.reads.append(key)
        return self._data[key]

    def __iter__(self) -> cabc.Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@pytest.mark.parametrize(
    ("data", "missing", "expected"),
    [
        ({"a": "1", "b": "2", "c": "3"}, "error", "1 2 1 3 2"),
        ({"a": "1", "b": "2", "c": "3"}, "keep", "1 2 1 3 2"),
        ({"b": "2"}, "keep", "${a} 2 ${a} ${c} 2"),
        ({"b": "2"}, "error", MissingParameters),
        ({"a": "1", "b": 2, "c": "3"}, "error", TypeError),
        ({"a": "1", "b": 2}, "keep", TypeError),
    ],
)
def test_each_placeholder_is_read_at_most_once_per_render(
    data: dict[str, object], missing: t.Literal["error", "keep"], expected: str | type[Exception]
) -> None:
    template = Template("${a} ${b} ${a} ${c} ${b}")
    params = Counting({**data, "unused": "x"})
    if isinstance(expected, str):
        assert template.render(params, missing=missing) == expected  # type: ignore[arg-type]
        assert sorted(params.reads) == ["a", "b", "c"]
    else:
        with pytest.raises(expected):
            template.render(params, missing=missing)  # type: ignore[arg-type]
        assert len(params.reads) == len(set(params.reads))
        assert "unused" not in params.reads


@pytest.mark.parametrize("error", [RuntimeError, ValueError, TypeError, IndexError, LookupError])
@pytest.mark.parametrize("missing", ["error", "keep"])
def test_an_error_other_than_key_error_from_the_mapping_propagates_unchanged(
    error: type[Exception], missing: t.Literal["error", "keep"]
) -> None:
    class Broken(Params):
        def __getitem__(self, key: str) -> str:
            if key == "b":
                raise error("the store is down")
            return super().__getitem__(key)

    class BrokenDict(dict[str, str]):
        def __getitem__(self, key: str) -> str:
            if key == "b":
                raise error("the store is down")
            return super().__getitem__(key)

    for params in (Broken({"a": "1", "b": "2"}), BrokenDict(a="1", b="2")):
        with pytest.raises(error, match="the store is down") as info:
            Template("${a} ${b}").render(params, missing=missing)
        assert type(info.value) is error


def test_dict_subclass_lookups_go_through_its_own_getitem_and_missing() -> None:
    class Shouting(dict[str, str]):
        def __getitem__(self, key: str) -> str:
            return super().__getitem__(key).upper()

    class Defaults(dict[str, str]):
        def __missing__(self, key: str) -> str:
            if key.startswith("opt"):
                return "-"
            raise KeyError(key)

    assert Template("${a}, ${b}!").render(Shouting(a="hi", b="you")) == "HI, YOU!"
    template = Template("${who} ${opt.x} ${when}")
    assert template.render(Defaults(who="Ann", when="now")) == "Ann - now"
    with pytest.raises(MissingParameters) as info:
        template.render(Defaults())
    assert info.value.names == ("who", "when")
    assert template.render(Defaults(when="now"), missing="keep") == "${who} - now"


@pytest.mark.parametrize("source", ["no placeholders", "${who}", "${p}" * 100])
@pytest.mark.parametrize("mode", ["error", "keep"])
def test_missing_given_positionally_is_a_type_error(source: str, mode: str) -> None:
    template = Template(source)
    with pytest.raises(TypeError, match="positional"):
        template.render({"who": "A", "p": "x"}, mode)  # type: ignore[call-arg, arg-type]
    with pytest.raises(TypeError, match="positional"):
        template.render(params={"who": "A", "p": "x"})  # type: ignore[call-arg]


def test_invalid_missing_mode_is_reported_before_params_that_are_not_a_mapping() -> None:
    with pytest.raises(ValueError, match="missing"):
        Template("${who}").render([("who", "A")], missing="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("params", "missing", "expected"),
    [
        ({"who": "Ann", "n": "3"}, "error", "Ann has 3 (Ann)"),
        ({"n": "3"}, "keep", "${who} has 3 (${who})"),
        ({"n": "3"}, "error", MissingParameters),
        ({"who": "Ann", "n": 3}, "error", TypeError),
        ("who", "error", TypeError),
        ({"who": "Ann", "n": "3"}, "ignore", ValueError),
    ],
)
def test_render_called_through_the_class_behaves_like_the_instance(
    params: object, missing: str, expected: str | type[Exception]
) -> None:
    template = Template("${who} has ${n} (${who})")
    renders: list[cabc.Callable[..., str]] = [
        template.render,
        functools.partial(Template.render, template),
    ]
    for render in renders:
        if isinstance(expected, str):
            assert render(params, missing=missing) == expected
        else:
            with pytest.raises(expected):
                render(params, missing=missing)


def test_a_subclass_that_overrides_render_keeps_its_method() -> None:
    class Loud(Template):
        __slots__ = ()

        def render(self, params: cabc.Mapping[str, str], /, *, missing: t.Any = "error") -> str:
            return super().render(params, missing=missing).upper()

    class Plain(Template):
        __slots__ = ()

    assert Loud("hi ${who}").render({"who": "ann"}) == "HI ANN"
    assert Plain("hi ${who}").render({"who": "ann"}) == "hi ann"


def test_render_of_an_instance_documents_itself_like_the_method() -> None:
    assert Template("Hi ${who}").render.__doc__ == Template.render.__doc__


def test_errors_from_render_carry_no_earlier_exception_as_context() -> None:
    template = Template("${a} ${b}")
    with pytest.raises(MissingParameters) as missing_info:
        template.render({"a": "x"})
    with pytest.raises(TypeError) as type_info:
        template.render({"a": "x", "b": 2})  # type: ignore[dict-item]
    for info in (missing_info, type_info):
        assert info.value.__context__ is None
        assert info.value.__cause__ is None


# Text that looks like what a code generator might use as a marker, quote or escape.
_TRICKY = ["", "\x00L1", "#N0", "#plan", "\x00doc", "{", "}", "{0}", "%s", "\\", "'", '"""', "\n"]


@pytest.mark.parametrize("count", [*range(10), 31, 63, 64, 65, 66])
def test_every_placeholder_count_renders_like_the_reference(count: int) -> None:
    # Literals and values are the tricky texts in turn; every third placeholder repeats a name.
    names = [f"n{index // 3 if index % 3 == 2 else index}" for index in range(count)]
    literals = [_TRICKY[index % len(_TRICKY)] for index in range(count + 1)]
    source = literals[0] + "".join(
        "${" + name + "}" + literal for name, literal in zip(names, literals[1:], strict=True)
    )
    template = Template(source)
    values = {name: _TRICKY[(index + 5) % len(_TRICKY)] for index, name in enumerate(names)}

    def expected(filled: dict[str, str]) -> str:
        return literals[0] + "".join(
            filled[name] + literal for name, literal in zip(names, literals[1:], strict=True)
        )

    assert template.render(values) == expected(values)
    assert template.render(types.MappingProxyType(values)) == expected(values)
    assert template.render(values, missing="keep") == expected(values)
    assert template.render({}, missing="keep") == source
    if names:
        first = template.placeholders[0]
        partial = {name: value for name, value in values.items() if name != first}
        with pytest.raises(MissingParameters) as info:
            template.render(partial)
        assert info.value.names == (first,)
        kept = {**partial, first: "${" + first + "}"}
        assert template.render(partial, missing="keep") == expected(kept)
        with pytest.raises(TypeError, match=f'"{template.placeholders[-1]}"'):
            template.render({**values, template.placeholders[-1]: 1})  # type: ignore[dict-item]


def test_template_with_many_placeholders_renders_like_a_short_one() -> None:
    names = [f"p{i}" for i in range(300)]
    template = Template(" ".join(f"<${{{name}}}>" for name in names + names))
    values = {name: name.upper() for name in names}
    expected = " ".join(f"<{name.upper()}>" for name in names + names)
    assert template.render(values) == expected
    with pytest.raises(MissingParameters) as info:
        template.render({k: v for k, v in values.items() if k not in {"p7", "p250"}})
    assert info.value.names == ("p7", "p250")
    with pytest.raises(TypeError, match='"p299"'):
        template.render({**values, "p299": 1})  # type: ignore[dict-item]
    assert template.render({}, missing="keep") == template.source


def test_one_template_renders_correctly_from_many_threads_at_once() -> None:
    template = Template("${who} bought ${what} for ${price}")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def work(index: int) -> None:
        barrier.wait()
        ok = True
        for round_ in range(2000):
            params = {"who": f"w{index}", "what": f"x{round_}", "price": str(index * round_)}
            expected = f"w{index} bought x{round_} for {index * round_}"
            ok = ok and template.render(params) == expected
        results.append(ok)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8


# --- Template as a value ------------------------------------------------------------------


def test_template_is_equal_and_hashes_by_source() -> None:
    assert Template("Hi ${who}") == Template("Hi ${who}")
    assert Template("Hi ${who}") != Template("Hi ${whom}")
    assert Template("Hi") != "Hi"
    assert len({Template("a"), Template("a"), Template("b")}) == 2


@pytest.mark.parametrize("name", ["source", "placeholders", "_source", "render", "anything"])
def test_template_is_immutable(name: str) -> None:
    template = Template("Hi ${who}")
    with pytest.raises(AttributeError):
        setattr(template, name, "${x}")
    with pytest.raises(AttributeError):
        delattr(template, name)
    assert template.source == "Hi ${who}"
    assert template.render({"who": "A"}) == "Hi A"


def test_repr_shows_a_short_source_whole() -> None:
    assert repr(Template("Hi ${who}")) == "Template('Hi ${who}')"


def test_repr_cuts_a_long_source_and_counts_it() -> None:
    text = repr(Template("${a}" + "x" * 10_000 + "${b}"))
    assert len(text) < 150
    assert "10008 characters" in text
    assert "2 placeholders" in text


@pytest.mark.parametrize("source", ["", "Hi ${who}", "${a}" * 100, "x\r\n\ud800😀${b.c-d}"])
def test_template_pickles_and_copies_to_an_equal_working_template(source: str) -> None:
    template = Template(source)
    params = dict.fromkeys(template.placeholders, "v")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(template, protocol))
        assert clone == template
        assert clone.placeholders == template.placeholders
        assert clone.render(params) == template.render(params)
    assert copy.copy(template) == template
    assert copy.deepcopy(template) == template


@pytest.mark.parametrize("source", ["", "Hi ${who}", "${who}" * 100])
def test_bound_render_pickles_to_a_render_of_an_equal_template(source: str) -> None:
    template = Template(source)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        render = pickle.loads(pickle.dumps(template.render, protocol))
        assert render({"who": "A"}) == template.render({"who": "A"})
        assert render({}, missing="keep") == source
    for clone in (copy.copy(template.render), copy.deepcopy(template.render)):
        assert clone({"who": "B"}) == template.render({"who": "B"})
        assert clone({}, missing="keep") == source


def test_bound_render_shows_the_template_it_renders() -> None:
    assert repr(Template("Hi ${who}").render) == (
        "<bound method Template.render of Template('Hi ${who}')>"
    )
    assert len(repr(Template("x" * 10_000 + "${a}").render)) < 200


def test_syntax_error_pickles_with_its_position_and_source() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template("ok\nnot ${ok")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        clone = pickle.loads(pickle.dumps(info.value, protocol))
        assert type(clone) is TemplateSyntaxError
        assert (clone.lineno, clone.column) == (2, 5)
        assert str(clone) == str(info.value)


def test_missing_parameters_pickles_with_its_names() -> None:
    with pytest.raises(MissingParameters) as info:
        Template("${b}${a}").render({})
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is MissingParameters
    assert clone.names == ("b", "a")
    assert str(clone) == str(info.value)


# --- properties ---------------------------------------------------------------------------

# Names string.Template also accepts, to compare with it.
identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
plain_text = st.text(st.characters(exclude_characters="$", exclude_categories=()), max_size=12)
# Text rich in the characters that matter to the scanner, plus anything else.
scanner_text = st.text(
    st.sampled_from("${}\n\r ._-aZ9") | st.characters(exclude_categories=()),
    max_size=40,
)

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")


def _pieces(name_strategy: st.SearchStrategy[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Alternating (kind, text): ("text", no-$ text) and ("name", placeholder name)."""
    return st.lists(
        st.tuples(st.just("text"), plain_text) | st.tuples(st.just("name"), name_strategy),
        max_size=10,
    )


def _source(pieces: list[tuple[str, str]]) -> str:
    return "".join(text if kind == "text" else "${" + text + "}" for kind, text in pieces)


@given(_pieces(identifiers), st.data())
def test_render_agrees_with_string_template_substitute(
    pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    source = _source(pieces)
    used = [text for kind, text in pieces if kind == "name"]
    values = {name: data.draw(st.text(max_size=10), label=name) for name in used}
    assert Template(source).render(values) == string.Template(source).substitute(values)


@given(_pieces(names), st.data())
def test_values_full_of_placeholders_come_out_verbatim(
    pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    used = [text for kind, text in pieces if kind == "name"]
    value_text = st.lists(st.sampled_from(used) if used else names).map(
        lambda found: "".join("${" + name + "}$${" for name in found)
    )
    values = {name: data.draw(value_text, label=name) for name in used}
    expected = "".join(text if kind == "text" else values[text] for kind, text in pieces)
    assert Template(_source(pieces)).render(values) == expected


@given(scanner_text)
def test_any_text_parses_exactly_when_every_dollar_brace_forms_a_placeholder(text: str) -> None:
    # The model: a left-to-right regex pass; a "${" left over after removing the placeholders
    # (replaced by a character that cannot join a "$" and a "{") is a syntax error.
    valid = "${" not in _PLACEHOLDER.sub("\x00", text)
    if valid:
        template = Template(text)
        assert template.placeholders == tuple(dict.fromkeys(_PLACEHOLDER.findall(text)))
        return
    with pytest.raises(TemplateSyntaxError) as info:
        Template(text)
    lineno, column = info.value.lineno, info.value.column
    lines = text.split("\n")
    assert 1 <= lineno <= len(lines)
    assert 1 <= column <= len(lines[lineno - 1])
    assert lines[lineno - 1][column - 1 : column + 1] == "${"
    # It is the first bad one: everything before it parses.
    offset = sum(len(previous) + 1 for previous in lines[: lineno - 1]) + column - 1
    assert "${" not in _PLACEHOLDER.sub("\x00", text[:offset])


@given(scanner_text | _pieces(names).map(_source))
def test_render_keep_with_no_parameters_gives_back_the_source(text: str) -> None:
    try:
        template = Template(text)
    except TemplateSyntaxError:
        return
    assert template.render({}, missing="keep") == text


@given(_pieces(names))
def test_placeholders_are_the_unique_names_in_order(pieces: list[tuple[str, str]]) -> None:
    used = [text for kind, text in pieces if kind == "name"]
    assert Template(_source(pieces)).placeholders == tuple(dict.fromkeys(used))


@given(_pieces(names), st.data())
def test_missing_names_are_the_absent_placeholders_in_order(
    pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    template = Template(_source(pieces))
    given_names = data.draw(st.sets(st.sampled_from(template.placeholders or ("x",))))
    params = dict.fromkeys(given_names, "v")
    absent = tuple(name for name in template.placeholders if name not in given_names)
    if absent:
        with pytest.raises(MissingParameters) as info:
            template.render(params)
        assert info.value.names == absent
    else:
        assert isinstance(template.render(params), str)
