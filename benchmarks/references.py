"""The request schema as a user would write it instead: a pydantic v2 model and a msgspec Struct.

Both say what ``schemas/send-request.schema.json`` says, as far as each library can say it:
``appId`` 1..32, ``accessToken`` 1..128, ``requestId`` 1..64 and ``templateCode`` 1..64
characters, ``templates`` of 1..5 content templates, each a ``language`` matching the schema's
pattern and optional ``templateParameters`` (an object of strings), an optional ``extendInfo``
of at most 4096 characters, and no other member anywhere. Lengths count code points in all
three (JSON Schema, pydantic and msgspec alike count ``len`` of a Python ``str``).
``tests/test_benchmark_references.py`` checks that both agree with ``check_request`` on a table
of valid and broken requests.

What the references cannot say, so that the agreement table leaves it out:

- the semantic rules of the API: a language repeated in two content templates
  (``duplicateLanguage``), a well-formed tag that CLDR does not know (``unknownLanguage``,
  e.g. ``"xx-XX"``) and links that are not http(s) or a page path (``unsafeUrl``): both
  references accept all three. Warnings (invisible characters, tags in odd case, UTF-16
  lengths) make no request invalid, so no reference needs them.
- a lone surrogate (``invalidCharacter``, it cannot be sent as UTF-8): pydantic refuses it,
  ``msgspec.convert`` keeps it, and ``msgspec.json.decode`` refuses its escape (``"\\ud800"``)
  as malformed JSON where ``json.loads`` accepts it.
- what JSON cannot hold: ``msgspec.convert`` turns a tuple into a list and keeps a ``str``
  subclass as it is; ``check_request`` calls a tuple the wrong type.
- pydantic's default regular expressions (Rust) have no look-ahead, so its pattern ends with
  ``$``, which there matches only at the very end, as the schema's ``(?![\\s\\S])`` does.

The classes are made on first call, each function importing only its own library, so that a
fresh process timing the msgspec loop does not pay for importing pydantic. msgspec reads
annotations from the module's globals, which a class made inside a function cannot use with
postponed annotations; ``msgspec.defstruct`` takes the types themselves and makes the same
``Struct`` that a class statement would.
"""

from __future__ import annotations

import functools
import typing as t

if t.TYPE_CHECKING:
    import msgspec
    import pydantic

__all__ = [
    "LANGUAGE_PATTERN",
    "PYDANTIC_LANGUAGE_PATTERN",
    "msgspec_request",
    "pydantic_request",
]

#: The schema's ``language`` pattern, as written there (Python's ``re`` runs it for msgspec).
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(?![\s\S])"
#: The same for pydantic's Rust regular expressions, where ``$`` is the end of the text.
PYDANTIC_LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$"


@functools.cache
def msgspec_request() -> type[msgspec.Struct]:
    """The request as a msgspec ``Struct`` with ``Meta`` limits and no unknown fields.

    Use it as ``msgspec.convert(payload, msgspec_request())`` for a dict, or
    ``msgspec.json.decode(data, type=msgspec_request())`` for bytes.

    :returns: the ``Request`` struct type, made once.

    >>> import msgspec
    >>> request = msgspec.json.decode(
    ...     b'{"appId": "1", "accessToken": "t", "requestId": "r", "templateCode": "TP",'
    ...     b' "templates": [{"language": "en-US"}]}',
    ...     type=msgspec_request(),
    ... )
    >>> request.templates[0].templateParameters
    {}
    """
    import msgspec

    content = msgspec.defstruct(
        "ContentTemplate",
        [
            ("language", t.Annotated[str, msgspec.Meta(pattern=LANGUAGE_PATTERN)]),
            ("templateParameters", dict[str, str], msgspec.field(default_factory=dict)),
        ],
        forbid_unknown_fields=True,
        module=__name__,
    )
    return msgspec.defstruct(
        "Request",
        [
            ("appId", t.Annotated[str, msgspec.Meta(min_length=1, max_length=32)]),
            ("accessToken", t.Annotated[str, msgspec.Meta(min_length=1, max_length=128)]),
            ("requestId", t.Annotated[str, msgspec.Meta(min_length=1, max_length=64)]),
            ("templateCode", t.Annotated[str, msgspec.Meta(min_length=1, max_length=64)]),
            (
                "templates",
                t.Annotated[list[content], msgspec.Meta(min_length=1, max_length=5)],  # type: ignore[valid-type]
            ),
            (
                "extendInfo",
                t.Annotated[str, msgspec.Meta(max_length=4096)] | msgspec.UnsetType,
                msgspec.UNSET,
            ),
        ],
        forbid_unknown_fields=True,
        module=__name__,
    )


@functools.cache
def pydantic_request() -> type[pydantic.BaseModel]:
    """The request as a pydantic v2 model: strict, no extra members, the schema's limits.

    Use it as ``pydantic_request().model_validate(payload)`` for a dict, or
    ``.model_validate_json(data)`` for bytes; ``ValidationError.errors()`` lists every error.

    :returns: the ``Request`` model class, made once.

    >>> import pydantic
    >>> try:
    ...     pydantic_request().model_validate({"appId": "", "templates": []})
    ... except pydantic.ValidationError as error:
    ...     sorted({e["type"] for e in error.errors()})
    ['missing', 'string_too_short', 'too_short']
    """
    import pydantic

    strict = pydantic.ConfigDict(extra="forbid", strict=True)

    class ContentTemplate(pydantic.BaseModel):
        model_config = strict
        language: t.Annotated[str, pydantic.StringConstraints(pattern=PYDANTIC_LANGUAGE_PATTERN)]
        templateParameters: dict[str, str] = pydantic.Field(default_factory=dict)

    class Request(pydantic.BaseModel):
        model_config = strict
        appId: t.Annotated[str, pydantic.StringConstraints(min_length=1, max_length=32)]
        accessToken: t.Annotated[str, pydantic.StringConstraints(min_length=1, max_length=128)]
        requestId: t.Annotated[str, pydantic.StringConstraints(min_length=1, max_length=64)]
        templateCode: t.Annotated[str, pydantic.StringConstraints(min_length=1, max_length=64)]
        templates: t.Annotated[list[ContentTemplate], pydantic.Field(min_length=1, max_length=5)]
        # Absent reads as empty; null is refused, as the schema says (defaults are not checked).
        extendInfo: t.Annotated[str, pydantic.StringConstraints(max_length=4096)] = ""

    return Request
