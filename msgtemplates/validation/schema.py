"""The JSON Schemas of ``schemas/``, read and compiled into a tree of :class:`Node` values.

Rule of the house: the schema files are the single source of truth for the request's and the
response's shape. This module reads them and refuses a keyword it does not understand, so that
no constraint added to the JSON is silently ignored; the fast path and the careful walk both
work from the tree it builds, never from limits written down anywhere else.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import typing as t

from ..errors import MsgTemplatesError
from ..problems import quote

__all__ = ["MISSING", "Node", "Role", "SchemaName", "compile_schema", "schema_text"]

SchemaName = t.Literal["request", "response"]

_SCHEMA_FILES: dict[str, str] = {
    "request": "send-request.schema.json",
    "response": "send-response.schema.json",
}

# The wheel ships the schemas inside the package; a source checkout keeps them at the repo root.
# os.path, not pathlib: pathlib imports urllib and more, and import msgtemplates stays light.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SCHEMA_DIRS = (
    os.path.join(_PACKAGE, "schemas"),
    os.path.join(os.path.dirname(_PACKAGE), "schemas"),
)


def schema_text(name: SchemaName, /) -> str:
    """The JSON Schema (draft 2020-12) of a request or a response, as the shipped file's text.

    :param name: ``"request"`` or ``"response"``.
    :returns: the schema document, exactly as stored.
    :raises ValueError: for any other name.
    :raises MsgTemplatesError: when the installation lacks the schema files.

    >>> import json
    >>> json.loads(schema_text("request"))["title"]
    'sendByAccessToken request'
    """
    filename = _SCHEMA_FILES.get(name) if isinstance(name, str) else None
    if filename is None:
        raise ValueError(f"unknown schema {quote(name)}; use 'request' or 'response'")
    for directory in _SCHEMA_DIRS:
        path = os.path.join(directory, filename)
        try:
            with open(path, encoding="utf-8") as stream:
                return stream.read()
        except FileNotFoundError:
            continue
        except OSError as err:
            raise MsgTemplatesError(f"cannot read the schema file {path}: {err.strerror}") from err
    searched = " and ".join(_SCHEMA_DIRS)
    raise MsgTemplatesError(
        f"the schema file {filename} is in neither {searched}; reinstall msgtemplates"
    )


# --- the compiled schema ---------------------------------------------------------------------

#: The value of an absent member, in generated code and walks.
MISSING: t.Final = object()

#: Schema keywords the compiler understands; any other keyword in a schema is refused at load,
#: so that no constraint added to the JSON is silently ignored.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description"})
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "$ref",
    }
)

Role = t.Literal["language", "parameters"]

#: Semantic checks attach to schema locations, named by the property path from the root.
_REQUEST_ROLES: dict[tuple[str, ...], Role] = {
    ("templates", "items", "language"): "language",
    ("templates", "items", "templateParameters"): "parameters",
}


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Node:
    """One compiled subschema; ``None`` for a keyword the subschema does not use.

    ``role`` marks where the API's semantic rules attach (a language, a parameter object).
    """

    types: tuple[str, ...] | None = None
    properties: dict[str, Node] = dataclasses.field(default_factory=dict)
    required: tuple[str, ...] = ()
    # True: anything goes (and is not looked at); False: no other members; a node: their schema.
    additional: Node | bool = True
    items: Node | None = None
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    enum: tuple[object, ...] | None = None
    role: Role | None = None
    # The Python classes of ``types`` when one isinstance() call decides, else None.
    classes: tuple[type, ...] | None = None


_CLASSES: dict[str, type] = {"string": str, "object": dict, "array": list}


class _SchemaCompiler:
    """Turns a schema document into a tree of :class:`Node`."""

    def __init__(self, document: dict[str, t.Any], roles: dict[tuple[str, ...], Role]):
        self.document = document
        self.roles = roles

    def compile(self, schema: object, where: tuple[str, ...]) -> Node:
        if not isinstance(schema, dict):
            raise self.error(where, "a subschema is not an object")
        if "$ref" in schema:
            if set(schema) - _ANNOTATIONS - {"$ref"}:
                raise self.error(where, "$ref beside other keywords is not supported")
            return self.compile(self.resolve(schema["$ref"], where), where)
        unknown = set(schema) - _KEYWORDS - _ANNOTATIONS
        if unknown:
            raise self.error(where, f"unsupported keywords {sorted(unknown)}")
        kind = schema.get("type")
        types = (kind,) if isinstance(kind, str) else (tuple(kind) if kind is not None else None)
        additional = schema.get("additionalProperties", True)
        pattern = schema.get("pattern")
        enum = schema.get("enum")
        classes = (
            tuple(_CLASSES[kind] for kind in types)
            if types is not None and all(kind in _CLASSES for kind in types)
            else None
        )
        return Node(
            types=types,
            classes=classes,
            properties={
                name: self.compile(sub, (*where, name))
                for name, sub in schema.get("properties", {}).items()
            },
            # Missing members are reported in the order the schema lists the properties.
            required=tuple(
                sorted(
                    schema.get("required", ()),
                    key=lambda n: (
                        list(schema.get("properties", {})).index(n)
                        if n in schema.get("properties", {})
                        else len(schema.get("properties", {}))
                    ),
                )
            ),
            additional=(
                additional
                if isinstance(additional, bool)
                else self.compile(additional, (*where, "additionalProperties"))
            ),
            items=self.compile(schema["items"], (*where, "items")) if "items" in schema else None,
            min_items=schema.get("minItems"),
            max_items=schema.get("maxItems"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=re.compile(pattern) if pattern is not None else None,
            enum=tuple(enum) if enum is not None else None,
            role=self.roles.get(where),
        )

    def resolve(self, ref: object, where: tuple[str, ...]) -> object:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise self.error(where, f"only local references are supported, not {ref!r}")
        target: object = self.document
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or token not in target:
                raise self.error(where, f"the reference {ref} points nowhere")
            target = target[token]
        return target

    def error(self, where: tuple[str, ...], what: str) -> MsgTemplatesError:
        location = "/".join(where) or "(root)"
        return MsgTemplatesError(f"cannot compile the schema at {location}: {what}")


@functools.cache
def compile_schema(name: SchemaName) -> Node:
    """The compiled tree of the request or the response schema, built once.

    >>> compile_schema("request").properties["appId"].max_length
    32
    """
    document = json.loads(schema_text(name))
    roles = _REQUEST_ROLES if name == "request" else {}
    return _SchemaCompiler(document, roles).compile(document, ())
