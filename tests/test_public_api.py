"""The public surface: names, types, docstrings, and a light import."""

from __future__ import annotations

import importlib.resources
import inspect
import subprocess
import sys

import pytest

import msgtemplates

PUBLIC_NAMES = {
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
}


def test_all_lists_exactly_the_public_names_sorted() -> None:
    assert set(msgtemplates.__all__) == PUBLIC_NAMES
    assert msgtemplates.__all__ == sorted(msgtemplates.__all__)
    # Names load on first use, so dir() is what lists them.
    public = {name for name in dir(msgtemplates) if not name.startswith("_")}
    # Submodules appear as attributes once imported; everything else must be in __all__.
    modules = {name for name in public if inspect.ismodule(getattr(msgtemplates, name))}
    assert public - modules - {"annotations"} == PUBLIC_NAMES
    for name in PUBLIC_NAMES:
        assert getattr(msgtemplates, name).__module__.startswith("msgtemplates"), name


def test_a_name_that_is_not_public_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        msgtemplates.nothing_here  # noqa: B018


def test_a_public_name_loads_its_module_only_when_first_used() -> None:
    code = (
        "import sys, msgtemplates; "
        "before = 'msgtemplates.catalog' in sys.modules; "
        "from msgtemplates import Catalog; "
        "print(before, 'msgtemplates.catalog' in sys.modules, Catalog.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "Catalog"]


def test_every_public_name_and_method_has_a_docstring() -> None:
    for name in msgtemplates.__all__:
        obj = getattr(msgtemplates, name)
        assert inspect.getdoc(obj), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not callable(member):
                    continue
                assert inspect.getdoc(member), f"{name}.{attr}"


def test_package_is_marked_typed() -> None:
    assert importlib.resources.files("msgtemplates").joinpath("py.typed").is_file()


def test_no_version_attribute_version_comes_from_metadata() -> None:
    assert not hasattr(msgtemplates, "__version__")


def test_import_does_not_load_heavy_dependencies() -> None:
    code = (
        "import sys, msgtemplates; "
        "heavy = ('jsonschema', 'babel', 'jinja2', 'hypothesis'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"
