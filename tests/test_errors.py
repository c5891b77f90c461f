"""The exception hierarchy: categories, attributes, printing and pickling."""

from __future__ import annotations

import pickle

import pytest

from msgtemplates import (
    CatalogError,
    MissingParameters,
    MsgTemplatesError,
    Problem,
    RequestInvalid,
    ResponseInvalid,
    TemplateSyntaxError,
    UnknownLanguage,
    UnknownTemplate,
)

EXAMPLES: list[MsgTemplatesError] = [
    TemplateSyntaxError("unterminated placeholder", lineno=2, column=7, source="Hi\nHello ${who"),
    MissingParameters(["who", "amount"]),
    RequestInvalid([Problem("/requestId", "required", "requestId is required")]),
    ResponseInvalid([Problem("/result", "required", "result is required")]),
    UnknownLanguage("xx-QQ"),
    UnknownTemplate("TP_NOPE", known=["TP_A", "TP_B"]),
    CatalogError("not valid TOML", path="catalog/TP_A.toml", lineno=3),
]


@pytest.mark.parametrize(
    ("cls", "categories"),
    [
        (TemplateSyntaxError, (ValueError,)),
        (MissingParameters, (LookupError,)),
        (RequestInvalid, (ValueError,)),
        (ResponseInvalid, (ValueError,)),
        (UnknownLanguage, (ValueError,)),
        (UnknownTemplate, (LookupError,)),
        (CatalogError, ()),
    ],
)
def test_every_exception_shares_the_root_and_its_stdlib_category(
    cls: type[MsgTemplatesError], categories: tuple[type[Exception], ...]
) -> None:
    assert issubclass(cls, MsgTemplatesError)
    for category in categories:
        assert issubclass(cls, category)


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_exceptions_survive_pickle_with_their_attributes_and_text(error: MsgTemplatesError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_template_syntax_error_prints_position_and_offending_line_with_caret() -> None:
    error = TemplateSyntaxError(
        "unterminated placeholder", lineno=2, column=7, source="Hi\nHello ${who"
    )
    lines = str(error).split("\n")
    assert lines[0] == "unterminated placeholder (line 2, column 7)"
    assert lines[1] == "    Hello ${who"
    assert lines[2] == "    " + " " * 6 + "^"
    assert (error.lineno, error.column) == (2, 7)


def test_template_syntax_error_keeps_caret_on_a_very_long_line() -> None:
    source = "x" * 5000 + "${" + "y" * 5000
    error = TemplateSyntaxError("unterminated placeholder", lineno=1, column=5001, source=source)
    shown, caret = str(error).split("\n")[1:]
    assert len(shown) < 200
    assert shown[caret.index("^")] == "$"


def test_missing_parameters_names_every_name_in_order_without_key_error_quotes() -> None:
    error = MissingParameters(["who", "amount"])
    assert error.names == ("who", "amount")
    assert str(error) == "missing parameters: who, amount"


def test_request_invalid_lists_its_problems() -> None:
    problems = [
        Problem("/requestId", "required", "requestId is required"),
        Problem("/templates/0/language", "languageTag", "x", "warning"),
    ]
    error = RequestInvalid(problems)
    assert error.problems == problems
    text = str(error)
    assert text.startswith("request invalid: 1 error")
    assert "/requestId: error: requestId is required [required]" in text


@pytest.mark.parametrize(
    ("error", "attribute", "value"),
    [
        (UnknownLanguage("xx-QQ"), "tag", "xx-QQ"),
        (UnknownTemplate("TP_NOPE"), "code", "TP_NOPE"),
        (CatalogError("bad", path="a.toml", lineno=None), "lineno", None),
    ],
)
def test_exceptions_carry_the_offending_input(
    error: MsgTemplatesError, attribute: str, value: object
) -> None:
    assert getattr(error, attribute) == value


def test_catalog_error_names_file_and_line() -> None:
    assert str(CatalogError("not valid TOML", path="c/TP_A.toml", lineno=3)) == (
        "c/TP_A.toml:3: not valid TOML"
    )
    assert str(CatalogError("cannot read", path="c/TP_A.toml")) == "c/TP_A.toml: cannot read"


def test_unknown_language_quotes_a_long_or_hostile_tag_safely() -> None:
    text = str(UnknownLanguage("x" * 100 + "\n\u202e"))
    assert "\n" not in text
    assert "x" * 41 not in text


def test_caret_stays_under_the_dollar_after_escaped_control_characters() -> None:
    error = TemplateSyntaxError("empty placeholder", lineno=1, column=5, source="\tHi ${}")
    shown, caret = str(error).split("\n")[1:]
    assert shown == "    \\x09Hi ${}"
    assert shown[caret.index("^")] == "$"


def test_exception_texts_stay_within_400_characters() -> None:
    from msgtemplates import (
        CatalogError,
        MissingParameters,
        Problem,
        RequestInvalid,
        Template,
        TemplateSyntaxError,
        UnknownTemplate,
    )

    problem = Problem("/x" * 300, "type", "m" * 400)
    texts = [
        str(RequestInvalid([problem] * 1000)),
        str(MissingParameters([f"name{i}" + "x" * 100 for i in range(4000)])),
        str(UnknownTemplate("T" * 10_000, known=["A" * 500] * 50)),
        str(CatalogError("bad " * 500, path="/p" * 500, lineno=3)),
    ]
    try:
        Template("\x01" * 5000 + "${")
    except TemplateSyntaxError as error:
        texts.append(str(error))
    assert all(len(text) <= 400 for text in texts), [len(text) for text in texts]
