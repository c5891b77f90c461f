"""The exception hierarchy of msgtemplates: one root, stdlib categories mixed in."""

from __future__ import annotations

import typing as t

from .problems import MESSAGE_LIMIT, cut, listed, one_line, quote, shown_name

if t.TYPE_CHECKING:
    import collections.abc as cabc

    from .problems import Problem

__all__ = [
    "CatalogError",
    "MissingParameters",
    "MsgTemplatesError",
    "RequestInvalid",
    "ResponseInvalid",
    "SignatureInvalid",
    "TemplateSyntaxError",
    "UnknownLanguage",
    "UnknownTemplate",
]


class MsgTemplatesError(Exception):
    """Root of every exception that msgtemplates raises on purpose."""


class TemplateSyntaxError(MsgTemplatesError, ValueError):
    """A template source that is not valid ``${name}`` syntax.

    ``lineno`` and ``column`` are 1-based and count code points; lines split on ``\\n`` only.
    ``str()`` shows the position and the offending line with a caret under the ``$``.
    """

    def __init__(self, message: str, *, lineno: int, column: int, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.column = column
        self.source = source

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (
            _rebuild,
            (
                type(self),
                (self.message,),
                {
                    "lineno": self.lineno,
                    "column": self.column,
                    "source": self.source,
                },
            ),
        )

    def __str__(self) -> str:
        text = f"{cut(self.message, 110)} (line {self.lineno}, column {self.column})"
        if self.source is None:
            return text
        lines = self.source.split("\n")
        if not 1 <= self.lineno <= len(lines):
            return text
        line = lines[self.lineno - 1]
        # Long lines are cut around the column so the caret stays meaningful.
        start = max(0, self.column - 1 - 60)
        shown = cut(one_line(line[start : start + 120]), 120)
        # The caret is placed under the escaped text, where a tab now takes four characters.
        prefix = one_line(line[start : self.column - 1])
        caret = " " * min(len(prefix), 120) + "^"
        return f"{cut(one_line(text), 140)}\n    {shown}\n    {caret}"


class MissingParameters(MsgTemplatesError, LookupError):
    """Rendering needed parameters that were not given; ``names`` lists them in order."""

    def __init__(self, names: cabc.Iterable[str]):
        self.names: tuple[str, ...] = tuple(names)
        super().__init__(self.names)

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (type(self), (self.names,))

    def __str__(self) -> str:
        shown = ", ".join(shown_name(name) for name in self.names[:8])
        more = f" and {len(self.names) - 8} more" if len(self.names) > 8 else ""
        noun = "parameter" if len(self.names) == 1 else "parameters"
        return f"missing {noun}: {shown}{more}"


class _ProblemsError(MsgTemplatesError, ValueError):
    """Base of the exceptions that carry a list of problems."""

    what = "payload"

    def __init__(self, problems: cabc.Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        # At most 400 characters, like every message: the first problem, then a count; the
        # whole list is in .problems.
        errors = [p for p in self.problems if p.severity == "error"]
        shown = errors or self.problems
        count = len(errors)
        head = f"{self.what} invalid: {count} error{'s' if count != 1 else ''}"
        if not shown:
            return head
        more = len(self.problems) - 1
        tail = f" (and {more} more; see .problems)" if more else ""
        first = cut(str(shown[0]), MESSAGE_LIMIT - len(head) - len(tail) - 2)
        return f"{head}: {first}{tail}"


class RequestInvalid(_ProblemsError):
    """A sendByAccessToken request with errors; ``problems`` lists every problem found."""

    what = "request"


class ResponseInvalid(_ProblemsError):
    """A sendByAccessToken response that does not have the documented shape."""

    what = "response"


class UnknownLanguage(MsgTemplatesError, ValueError):
    """A language tag that is malformed or has no locale data in CLDR; ``tag`` is the input."""

    def __init__(self, tag: object):
        self.tag = tag
        super().__init__(tag)

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (type(self), (self.tag,))

    def __str__(self) -> str:
        return (
            f"unknown language tag {quote(self.tag)}: use a BCP 47 tag such as en-US or zh-Hant-HK"
        )


class UnknownTemplate(MsgTemplatesError, LookupError):
    """A template code that the catalog does not hold; ``code`` is the code asked for."""

    def __init__(self, code: object, *, known: cabc.Iterable[str] = ()):
        self.code = code
        self.known: tuple[str, ...] = tuple(known)
        super().__init__(code)

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (_rebuild, (type(self), (self.code,), {"known": self.known}))

    def __str__(self) -> str:
        text = f"unknown template code {quote(self.code)}"
        if self.known:
            text += f"; the catalog holds {listed(self.known)}"
        return cut(text, MESSAGE_LIMIT)


class SignatureInvalid(MsgTemplatesError, ValueError):
    """A signature that does not verify, or a signed message that cannot be trusted.

    Raised by :func:`msgtemplates.send.verify_response` (a response not signed by the wallet's
    key, or signed for another client) and by :class:`msgtemplates.send.Sender`. The text says
    what failed; it never holds key material or the access token.
    """


class CatalogError(MsgTemplatesError):
    """A catalog file that cannot be read, parsed, or has the wrong shape.

    ``path`` is the file (or directory), ``lineno`` the line where the format gives one, else
    ``None``.
    """

    def __init__(self, message: str, *, path: str, lineno: int | None = None):
        self.message = message
        self.path = path
        self.lineno = lineno
        super().__init__(message)

    def __reduce__(self) -> tuple[t.Any, ...]:
        return (
            _rebuild,
            (type(self), (self.message,), {"path": self.path, "lineno": self.lineno}),
        )

    def __str__(self) -> str:
        where = self.path if self.lineno is None else f"{self.path}:{self.lineno}"
        return cut(one_line(f"{where}: {self.message}"), MESSAGE_LIMIT)


def _rebuild(
    cls: type[BaseException], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> BaseException:
    return cls(*args, **kwargs)
