"""Pre-send validation, ${name} rendering and CLDR locale fallback for sendByAccessToken.

Every public name loads its module on first use (PEP 562), so ``import msgtemplates`` costs
next to nothing and a program pays only for the parts it touches.
"""

from __future__ import annotations

import importlib
import typing as t

from .errors import (
    CatalogError,
    MissingParameters,
    MsgTemplatesError,
    RequestInvalid,
    ResponseInvalid,
    SignatureInvalid,
    TemplateSyntaxError,
    UnknownLanguage,
    UnknownTemplate,
)

if t.TYPE_CHECKING:
    from .batch import BatchVerdict, check_batch, check_bytes
    from .catalog import Catalog, Preview, Rendered
    from .locales import best_match, fallback_chain
    from .problems import Problem
    from .responses import Outcome, check_response, interpret_response
    from .template import Template
    from .validation import check_request, validate_request

__all__ = [
    "BatchVerdict",
    "Catalog",
    "CatalogError",
    "MissingParameters",
    "MsgTemplatesError",
    "Outcome",
    "Preview",
    "Problem",
    "Rendered",
    "RequestInvalid",
    "ResponseInvalid",
    "SignatureInvalid",
    "Template",
    "TemplateSyntaxError",
    "UnknownLanguage",
    "UnknownTemplate",
    "best_match",
    "check_batch",
    "check_bytes",
    "check_request",
    "check_response",
    "fallback_chain",
    "interpret_response",
    "validate_request",
]

# The module that defines each name loaded on first use.
_HOMES = {
    "BatchVerdict": "batch",
    "check_batch": "batch",
    "check_bytes": "batch",
    "Catalog": "catalog",
    "Preview": "catalog",
    "Rendered": "catalog",
    "best_match": "locales",
    "fallback_chain": "locales",
    "Problem": "problems",
    "Outcome": "responses",
    "check_response": "responses",
    "interpret_response": "responses",
    "Template": "template",
    "check_request": "validation",
    "validate_request": "validation",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    # Kept, so that the next look finds it without this function.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
