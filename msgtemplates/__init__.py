"""Pre-send validation, ${name} rendering and CLDR locale fallback for sendByAccessToken."""

from __future__ import annotations

from .batch import BatchVerdict, check_batch, check_bytes
from .catalog import Catalog, Preview, Rendered
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
