"""Rules of the house: one concern per module, imports one way, no private name crosses over."""

from __future__ import annotations

import ast
import pathlib

import pytest

from msgtemplates.validation import fastpath

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "msgtemplates"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text("utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _resolve(module: str, level: int, name: str | None, is_package: bool) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    # A package's own relative imports start from the package itself.
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _imports(modules: dict[str, ast.Module]) -> dict[str, set[tuple[str, str | None]]]:
    """Each module's imports of msgtemplates modules: (module, imported name or None)."""
    packages = {name for name in modules if (PACKAGE.parent / name.replace(".", "/")).is_dir()}
    found: dict[str, set[tuple[str, str | None]]] = {}
    for module, tree in modules.items():
        edges: set[tuple[str, str | None]] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, node.level, node.module, module in packages)
                for alias in node.names:
                    if f"{target}.{alias.name}" in modules:
                        edges.add((f"{target}.{alias.name}", None))
                    elif target.startswith("msgtemplates"):
                        edges.add((target, alias.name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("msgtemplates"):
                        edges.add((alias.name, None))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.JoinedStr)
            ):
                edges.add(("msgtemplates.<dynamic>", None))
        found[module] = {(target, name) for target, name in edges if target != module}
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    modules = _modules()
    crossing = [
        f"{module} imports {name} from {target}"
        for module, edges in _imports(modules).items()
        for target, name in edges
        if name is not None and name.startswith("_") and not name.startswith("__")
    ]
    assert crossing == []


def test_no_module_reaches_into_another_modules_private_attributes() -> None:
    # `other._name` where `other` is a module imported from msgtemplates.
    crossing = []
    for module, tree in _modules().items():
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.level or "msgtemplates" in (node.module or ""))
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                crossing.append(f"{module}: {node.value.id}.{node.attr}")
    assert crossing == []


# Which modules each module may import: the command line and preview on
# top; batch and catalog over validation; everything over rules, problems and errors; nothing
# shipped imports the testing tools. Modules not listed (the command line, the package's
# front door, the integrations) may import any shipped module.
_BASE = {"rules", "problems", "errors"}
ALLOWED: dict[str, set[str]] = {
    "rules": set(),
    "problems": {"rules"},
    "errors": {"rules", "problems"},
    "locales": _BASE,
    "template": _BASE,
    "validation": _BASE | {"locales"},
    "responses": _BASE | {"validation"},
    "catalog": _BASE | {"locales", "template", "validation", "compose"},
    "compose": _BASE | {"locales", "template", "validation", "catalog"},
    "batch": _BASE | {"validation", "catalog"},
    "preview": _BASE | {"locales", "catalog"},
    "send": _BASE | {"validation", "responses", "catalog"},
    "fakewallet": _BASE | {"send", "validation", "responses"},
    "ledger": _BASE | {"send", "validation", "responses", "catalog"},
}
TESTING = {"testing", "strategies"}


def test_imports_run_one_way() -> None:
    wrong = []
    for module, targets in _imports(_modules()).items():
        home = module.split(".")[1] if "." in module else ""
        for target, _ in targets:
            there = target.split(".")[1] if "." in target else ""
            if there == home:
                continue  # a package's own rooms
            if there in TESTING and home not in TESTING:
                wrong.append(f"{module} -> {target}: shipped code imports the testing tools")
            elif home in ALLOWED and there not in ALLOWED[home]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_generated_fast_path_can_be_read() -> None:
    source = fastpath.source()
    assert source.startswith("def clean(payload):")
    compile(source, "<fast path>", "exec")


def test_a_failure_inside_generated_code_is_loud_on_json_data() -> None:
    def broken(value: object) -> bool:
        raise ZeroDivisionError

    with pytest.raises(fastpath.FastPathBug):
        fastpath.run(broken, {"appId": "x", "templates": [{"language": "en-US"}]})


def test_a_value_that_is_not_json_may_leave_the_fast_path_quietly() -> None:
    class Hostile(str):
        def __eq__(self, other: object) -> bool:
            raise RuntimeError

        __hash__ = str.__hash__

    def strict(value: object) -> bool:
        raise TypeError

    assert fastpath.run(strict, {Hostile("appId"): "x"}) is False
    assert fastpath.is_plain_json({"a": [1, 2.5, None, True, "x"]})
    assert not fastpath.is_plain_json({"a": {1, 2}})


def test_the_command_line_module_holds_under_600_lines_of_code() -> None:
    # Lines of code: neither blank, nor a comment, nor a docstring.
    source = (PACKAGE / "cli.py").read_text("utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    code = [
        line
        for number, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    ]
    assert len(code) < 600


def test_no_shipped_file_points_at_a_document_users_cannot_see() -> None:
    # The design notes the project was built from are not in the repository: README and the
    # docstrings say what users need themselves.
    root = PACKAGE.parent
    files = [root / "README.md", root / "pyproject.toml"]
    for folder in ("msgtemplates", "examples", "benchmarks", "tests", ".ci"):
        files += [path for path in (root / folder).rglob("*") if path.is_file()]
    pointing = [
        str(path.relative_to(root))
        for path in files
        if path.suffix in {".py", ".md", ".toml", ".yaml", ".txt", ".html", ""}
        and path.name != "test_layout.py"  # this file names the word it looks for
        and "DESIGN" in path.read_text("utf-8", "replace")
    ]
    assert pointing == []
