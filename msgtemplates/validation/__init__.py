"""Request validation: ``check_request`` and ``validate_request`` over the compiled schemas.

The package has four rooms: :mod:`.schema` reads the JSON Schemas of ``schemas/`` (the single
source of truth) into a tree; :mod:`.fastpath` turns the request schema into one generated
function that tells a clean request in a straight line; :mod:`.walk` walks a request that is
not clean and reports every problem with its pointer; :mod:`.walkgen` writes that walk out as
one generated function for plain JSON, handing anything else back to the careful walk. A
catalog's checks plug in through :class:`CatalogChecks`, so this package never imports the
catalog that sits above it.
"""

from __future__ import annotations

import abc
import collections.abc as cabc
import typing as t

from ..errors import RequestInvalid
from ..problems import Problem, describe, secret_of
from . import fastpath
from .schema import SchemaName, compile_schema, schema_text
from .walk import Collector, schema_problems
from .walkgen import walk_problems

__all__ = [
    "CatalogChecks",
    "SchemaName",
    "check_request",
    "schema_problems",
    "schema_text",
    "validate_request",
]


class CatalogChecks(abc.ABC):
    """What :func:`check_request` asks of a catalog: the problems it finds in a request.

    :class:`msgtemplates.Catalog` is the one implementation.
    """

    __slots__ = ()

    @abc.abstractmethod
    def request_problems(self, payload: object, /, *, secret: str | None) -> list[Problem]:
        """The catalog's problems of a request, each with a pointer into it.

        :param payload: any value; parts of the wrong type are skipped (the schema checks
            report those).
        :param secret: the access token, never to be quoted.
        """

    def request_clean(self, payload: object, /) -> bool:
        """Whether :meth:`request_problems` surely finds nothing in a schema-clean request.

        A quick test for the common case; ``False`` (the default) means "ask
        :meth:`request_problems`", never "there is a problem".
        """
        return False


_request_test: cabc.Callable[[object], bool] | None = None


def _first_test(payload: object) -> bool:
    # Compiles the fast path on first use (import stays light), then steps aside.
    global _request_test
    _request_test = fastpath.request_test()
    return _request_test(payload)


def _checks_of(catalog: object) -> CatalogChecks:
    # type(), not isinstance(): a mock's __class__ may claim to be a Catalog. The class's own
    # ancestry, not issubclass(): a virtual subclass registered with the ABC lacks the methods,
    # and the ABC's subclass check costs more than the catalog's whole quick test.
    if CatalogChecks not in type(catalog).__mro__:
        raise TypeError(f"catalog must be a msgtemplates.Catalog or None, not {describe(catalog)}")
    return t.cast(CatalogChecks, catalog)


def check_request(payload: object, /, *, catalog: CatalogChecks | None = None) -> list[Problem]:
    """Every problem of a sendByAccessToken request, in payload order.

    Schema problems carry the JSON Schema keyword as their code; semantic ones add
    ``languageTag``, ``unknownLanguage``, ``duplicateLanguage``, ``unsafeUrl``,
    ``invisibleCharacter``, ``invalidCharacter`` and ``utf16Length``. With ``catalog``, the
    catalog's own problems (unknown template, missing parameters, ...) are merged in. Any
    Python object is accepted; a value that is not JSON is a problem, never an exception. The
    access token is never quoted in a message.

    :param payload: the decoded JSON request.
    :param catalog: the merchant's copy of the template texts, to check the parameters against.
    :returns: the problems, errors and warnings, empty for a clean request.
    :raises TypeError: ``catalog`` is neither a :class:`~msgtemplates.Catalog` nor ``None``.

    >>> request = {"appId": "2171", "accessToken": "tok", "requestId": "r1",
    ...            "templateCode": "TP_1", "templates": [{"language": "en_US"}]}
    >>> [(problem.path, problem.code) for problem in check_request(request)]
    [('/templates/0/language', 'languageTag')]
    """
    checks = None if catalog is None else _checks_of(catalog)
    # The generated test, inline: a clean request costs one call into it.
    try:
        clean = (_request_test or _first_test)(payload)
    except Exception as error:
        clean = fastpath.failed(payload, error)
    if clean:
        if checks is None or checks.request_clean(payload):
            return []
        # A clean request has no schema problem to merge with: the catalog's come in order.
        return list(checks.request_problems(payload, secret=secret_of(payload)))
    secret = secret_of(payload)
    if checks is None:
        return walk_problems(payload, secret=secret)
    # Merging a catalog's problems into payload order needs the careful walk's positions.
    collector = Collector("request", semantic=True, secret=secret, track=True)
    collector.value(compile_schema("request"), payload, "")
    return collector.result(list(checks.request_problems(payload, secret=secret)))


def validate_request(payload: object, /, *, catalog: CatalogChecks | None = None) -> None:
    """Raise :class:`~msgtemplates.RequestInvalid` when a request has errors; warnings pass.

    :param payload: the decoded JSON request.
    :param catalog: as for :func:`check_request`.
    :raises RequestInvalid: with ``problems`` listing every problem, warnings included.
    :raises TypeError: as for :func:`check_request`.
    """
    problems = check_request(payload, catalog=catalog)
    if any(problem.severity == "error" for problem in problems):
        raise RequestInvalid(problems)
