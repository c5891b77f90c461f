"""The pytest plugin: catalog lint as test items; ``msgtemplates_catalog``, ``fake_wallet``.

Registered through the ``pytest11`` entry point ``msgtemplates``; it does nothing until the
pytest configuration names catalogs. In ``pyproject.toml``::

    [tool.pytest.ini_options]
    msgtemplates_catalogs = ["catalog"]   # catalog directories or files, from the rootdir
    msgtemplates_strict = false           # true: lint warnings fail too

Each template code of those catalogs is then one test item, ``<catalog>::<templateCode>``,
that fails with the template's lint errors and shows its warnings. A catalog that cannot be
loaded is one failing item, ``<catalog>``, with the reason. The items come with a plain
``pytest`` run (from its ``testpaths`` or the current directory); a run given explicit paths
adds those catalogs that lie within one of the paths. They carry the ``msgtemplates`` marker,
so ``-m "not msgtemplates"`` leaves them out.

This module imports nothing beyond pytest and the standard library until a catalog is
configured or a fixture is used: a project's own test runs stay as they were.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import pathlib
import typing as t

import pytest

if t.TYPE_CHECKING:
    from .catalog import Catalog
    from .fakewallet import FakeWallet  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from .problems import Problem
    from .send import Credentials  # type: ignore[import-not-found,import-untyped,unused-ignore]

__all__ = ["FakeWalletSetup", "fake_wallet", "msgtemplates_catalog"]

CATALOGS_OPTION = "msgtemplates_catalogs"
STRICT_OPTION = "msgtemplates_strict"
MARKER = "msgtemplates"

#: The ``Client-Id`` of the merchant that the ``fake_wallet`` fixture's wallet expects.
CLIENT_ID = "msgtemplates-test-merchant"

_WARNINGS_KEY = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the two ini options; neither changes anything while unset."""
    parser.addini(
        CATALOGS_OPTION,
        "msgtemplates catalogs (directories or files, relative to the rootdir) whose "
        "templates become test items that fail on lint errors",
        type="linelist",
        default=[],
    )
    parser.addini(
        STRICT_OPTION,
        "make msgtemplates catalog items fail on lint warnings too",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``msgtemplates`` marker, only when catalogs are configured."""
    if _configured(config):
        config.addinivalue_line("markers", f"{MARKER}: a msgtemplates catalog lint item")
        config.stash[_WARNINGS_KEY] = []


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per template code of the configured catalogs, once per session.

    Runs before ``-k``, ``-m`` and ``--deselect`` filter the items, so those apply to the
    catalog items as to any other.
    """
    entries = _configured(config)
    if not entries:
        return
    added: list[pytest.Item] = []
    for name, path in entries:
        if not _selected(config, path):
            continue
        collector = CatalogCollector.from_parent(session, name=name, nodeid=name, path=path)
        collected = collector.collect()
        session.ihook.pytest_collectreport(
            report=pytest.CollectReport(collector.nodeid, "passed", None, list(collected))
        )
        for item in collected:
            if isinstance(item, pytest.Item):
                session.ihook.pytest_itemcollected(item=item)
                added.append(item)
    items.extend(added)


def pytest_terminal_summary(terminalreporter: t.Any, config: pytest.Config) -> None:
    """List the lint warnings of passing catalog items, which no failure report shows."""
    lines = config.stash.get(_WARNINGS_KEY, [])
    if lines:
        terminalreporter.section("msgtemplates lint warnings", yellow=True)
        for line in lines:
            terminalreporter.line(line)


def _configured(config: pytest.Config) -> list[tuple[str, pathlib.Path]]:
    """The configured catalogs: ``(name shown in node ids, absolute path)``, without repeats."""
    entries: dict[pathlib.Path, str] = {}
    for raw in config.getini(CATALOGS_OPTION):
        path = pathlib.Path(os.path.normpath(config.rootpath / raw))
        try:
            name = path.relative_to(config.rootpath).as_posix()
        except ValueError:
            name = path.as_posix()
        entries.setdefault(path, name)
    return [(name, path) for path, name in entries.items()]


def _selected(config: pytest.Config, catalog: pathlib.Path) -> bool:
    """Whether the run's arguments take in a catalog: always for a plain ``pytest`` run."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return True
    base = config.invocation_params.dir
    for arg in config.args:
        selected = pathlib.Path(os.path.normpath(base / arg.split("::", 1)[0]))
        if catalog == selected or selected in catalog.parents:
            return True
    return False


class CatalogCollector(pytest.Collector):
    """A configured catalog: loads it, lints it once, and gives one item per template code."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        """The items of the catalog, or one failing item when it cannot be loaded."""
        from .catalog import Catalog
        from .errors import CatalogError

        try:
            catalog = Catalog.load(self.path)
        except CatalogError as error:
            return [
                CatalogLoadItem.from_parent(
                    self.session, name=self.name, nodeid=self.name, reason=str(error)
                )
            ]
        from .problems import one_line

        rootpath = self.config.rootpath
        by_code: dict[str, list[tuple[Problem, str]]] = {code: [] for code in catalog.codes}
        for problem in catalog.lint():
            file, line = catalog.where(problem.path)
            where = _shown(pathlib.Path(file), rootpath) if file else self.name
            if line is not None:
                where = f"{where}:{line}"
            by_code.setdefault(_code_of(problem.path), []).append(
                (problem, f"{where}: {one_line(str(problem))}")
            )
        strict = bool(self.config.getini(STRICT_OPTION))
        items: list[pytest.Item | pytest.Collector] = []
        for code, found in by_code.items():
            file, _ = catalog.where(f"/{code}")
            items.append(
                TemplateItem.from_parent(
                    self,
                    name=code,
                    problems=tuple(found),
                    strict=strict,
                    file=pathlib.Path(file) if file else self.path,
                )
            )
        return items


class LintFailed(Exception):
    """Raised by a catalog item whose template has lint errors (or warnings, when strict)."""


class _LintItem(pytest.Item):
    """An item whose failure is its own text: the problem lines or the reason, no traceback."""

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: t.Any = None,
    ) -> str | t.Any:
        """The failure's own text, without a traceback into the plugin."""
        if isinstance(excinfo.value, LintFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)


class TemplateItem(_LintItem):
    """One template code of a catalog; passes when its lint has no errors.

    :param problems: the template's lint problems, each with its line as printed:
        ``FILE:LINE: PATH: SEVERITY: message [code]``, as ``msgtemplates lint`` prints it.
    """

    def __init__(
        self,
        *,
        problems: tuple[tuple[Problem, str], ...],
        strict: bool,
        file: pathlib.Path,
        **kwargs: t.Any,
    ) -> None:
        super().__init__(**kwargs)
        self.problems = problems
        self.strict = strict
        self.file = file
        self.add_marker(MARKER)

    def runtest(self) -> None:
        """Fail with the problem lines when the template has errors (or strict warnings)."""
        errors = sum(problem.severity == "error" for problem, _ in self.problems)
        warnings = len(self.problems) - errors
        if errors or (self.strict and warnings):
            lines = [
                f"template {self.name}: {_counts(errors, warnings)} "
                f"(msgtemplates lint{', strict' if self.strict else ''})",
                *(line for _, line in self.problems),
            ]
            raise LintFailed("\n".join(lines))
        if warnings:
            shown = [line for _, line in self.problems]
            self.add_report_section("call", "msgtemplates lint warnings", "\n".join(shown))
            self.config.stash[_WARNINGS_KEY].extend(shown)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """The template's file and the item's name, for pytest's report headers."""
        return self.file, None, self.nodeid


class CatalogLoadItem(_LintItem):
    """A configured catalog that cannot be loaded: one item that fails with the reason."""

    def __init__(self, *, reason: str, **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.reason = reason
        self.add_marker(MARKER)

    def runtest(self) -> None:
        """Fail with the :class:`~msgtemplates.CatalogError` text."""
        raise LintFailed(f"cannot load the catalog: {self.reason}")

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """The catalog path and the item's name, for pytest's report headers."""
        return self.path, None, self.nodeid


def _code_of(path: str) -> str:
    """The template code of a lint problem's path ``/<templateCode>[/<language>]``."""
    token = path.split("/")[1] if path.count("/") else path
    return token.replace("~1", "/").replace("~0", "~")


def _shown(path: pathlib.Path, rootpath: pathlib.Path) -> str:
    """A path as the report shows it: from the rootdir when it lies inside."""
    try:
        return path.resolve().relative_to(rootpath).as_posix()
    except ValueError:
        return path.as_posix()


def _counts(errors: int, warnings: int) -> str:
    return f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning" + (
        "" if warnings == 1 else "s"
    )


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def msgtemplates_catalog(pytestconfig: pytest.Config) -> Catalog:
    """The first catalog of ``msgtemplates_catalogs``, loaded as a :class:`~msgtemplates.Catalog`.

    A test that uses it fails at setup, with what to configure, when no catalog is configured,
    and with the reason when the catalog cannot be loaded.
    """
    from .catalog import Catalog
    from .errors import CatalogError

    entries = _configured(pytestconfig)
    if not entries:
        pytest.fail(
            f"the msgtemplates_catalog fixture needs a catalog: set {CATALOGS_OPTION} in the "
            'pytest configuration, e.g. msgtemplates_catalogs = ["catalog"] under '
            "[tool.pytest.ini_options]",
            pytrace=False,
        )
    try:
        return Catalog.load(entries[0][1])
    except CatalogError as error:
        pytest.fail(f"cannot load the catalog: {error}", pytrace=False)


@dataclasses.dataclass(frozen=True, slots=True)
class FakeWalletSetup:
    """What the ``fake_wallet`` fixture gives a test: a wallet, and the merchant it expects.

    :param wallet: a fresh :class:`~msgtemplates.fakewallet.FakeWallet` that checks request
        signatures with ``merchant_public_key`` and expects ``Client-Id: client_id``.
    :param client_id: the merchant's client id.
    :param merchant_private_key: the merchant's RSA-2048 private key (PKCS#8 PEM), for
        signing; not shown by ``repr()``.
    :param merchant_public_key: its public key (SubjectPublicKeyInfo PEM).
    """

    wallet: FakeWallet
    client_id: str
    merchant_private_key: str = dataclasses.field(repr=False)
    merchant_public_key: str

    @property
    def credentials(self) -> Credentials:
        """:class:`~msgtemplates.send.Credentials` of the merchant, trusting this wallet's key."""
        from .send import Credentials  # type: ignore[import-not-found,import-untyped,unused-ignore]

        return Credentials(self.client_id, self.merchant_private_key, self.wallet.public_key)


@pytest.fixture
def fake_wallet() -> FakeWalletSetup:
    """A fresh fake wallet for each test, with a merchant key pair it trusts.

    Use ``fake_wallet.wallet.transport`` (in process) or ``fake_wallet.wallet.serve()`` (a
    port), and ``fake_wallet.credentials`` to sign. Skips the test, saying what to install, when
    the ``send`` extra (httpx, cryptography) is missing. The merchant key is made once per
    process, since making RSA keys is slow.
    """
    try:
        from .fakewallet import FakeWallet  # type: ignore[import-not-found,import-untyped,unused-ignore]

        private_pem, public_pem = _merchant_key()
        wallet = FakeWallet(public_pem, client_id=CLIENT_ID)
    except ImportError as error:
        pytest.skip(
            "the fake_wallet fixture needs msgtemplates.fakewallet and the send extra "
            f"(pip install 'msgtemplates[send]'): {error}"
        )
    return FakeWalletSetup(wallet, CLIENT_ID, private_pem, public_pem)


@functools.cache
def _merchant_key() -> tuple[str, str]:
    """A merchant RSA-2048 key pair as PEM texts (PKCS#8, SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem
