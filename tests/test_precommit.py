"""The pre-commit hooks: their definitions, and their entries run the way pre-commit runs them.

pre-commit itself is not needed: it runs ``entry`` + ``args`` + the staged files that match
``files`` and not ``exclude`` (``re.search`` on the path from the repository's top), from the
top of the repository; these tests do the same.
"""

from __future__ import annotations

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

import msgtemplates

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
PACKAGE_ROOT = str(pathlib.Path(msgtemplates.__file__).resolve().parent.parent)

Hook = dict[str, str]


def read_hooks(text: str) -> dict[str, Hook]:
    """The hooks of a ``.pre-commit-hooks.yaml`` that uses only ``- id:`` and ``key: value``."""
    hooks: dict[str, Hook] = {}
    current: Hook | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )([a-z_]+): (.+)", line)
        assert match is not None, f"not a simple hook line: {line!r}"
        start, key, value = match.groups()
        if start == "- ":
            assert key == "id", f"a hook must start with its id: {line!r}"
            current = hooks.setdefault(value, {})
        assert current is not None
        current[key] = value
    return hooks


HOOKS = read_hooks(HOOKS_FILE.read_text(encoding="utf-8"))


def matching(hook: Hook, paths: list[str]) -> list[str]:
    """The paths pre-commit would pass to a hook."""
    files = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if "exclude" in hook else None
    return [
        path
        for path in paths
        if files.search(path) and not (exclude is not None and exclude.search(path))
    ]


def run_hook(
    hook_id: str, filenames: list[str], *, cwd: pathlib.Path, args: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run a hook's entry + args + filenames, with this tree's msgtemplates as the command."""
    hook = HOOKS[hook_id]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "msgtemplates"
    command = [sys.executable, "-m", "msgtemplates", *entry[1:], *args]
    if hook["pass_filenames"] == "true":
        command += filenames
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def git_repo(path: pathlib.Path, files: dict[str, str]) -> list[str]:
    """A git repository holding ``files``, all staged; returns what ``git ls-files`` lists."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(path)], check=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    subprocess.run([git, "add", "."], cwd=path, check=True)
    listed = subprocess.run(
        [git, "ls-files"], cwd=path, check=True, capture_output=True, text=True
    ).stdout
    return listed.splitlines()


def example_files() -> list[str]:
    """The shipped examples, as paths from the project's top (the sdist has no git)."""
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "examples").rglob("*")
        if path.is_file()
    )


# ---------------------------------------------------------------------------- definitions


def test_the_hooks_file_defines_lint_and_check_as_python_hooks() -> None:
    assert set(HOOKS) == {"msgtemplates-lint", "msgtemplates-check"}
    assert HOOKS["msgtemplates-lint"]["entry"] == "msgtemplates lint"
    assert HOOKS["msgtemplates-check"]["entry"] == "msgtemplates check"
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] == "true"
        assert hook["name"]
        assert hook["description"]


def test_the_simple_reading_agrees_with_a_yaml_parser() -> None:
    yaml = pytest.importorskip("yaml")
    parsed = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    as_text = {
        hook["id"]: {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in hook.items()}
        for hook in parsed
    }
    assert as_text == HOOKS


@pytest.mark.parametrize(
    ("hook_id", "path", "taken"),
    [
        ("msgtemplates-lint", "catalog/TP_X.toml", True),
        ("msgtemplates-lint", "app/catalogs/TP_X.json", True),
        ("msgtemplates-lint", "pyproject.toml", False),
        ("msgtemplates-lint", "catalog/old/TP_X.toml", False),
        ("msgtemplates-lint", "catalog/README.md", False),
        ("msgtemplates-check", "messages/send.json", True),
        ("msgtemplates-check", "campaign.jsonl", True),
        ("msgtemplates-check", "catalog/TP_X.json", False),
        ("msgtemplates-check", "catalog/TP_X.toml", False),
    ],
)
def test_each_hook_takes_the_files_it_can_read(hook_id: str, path: str, taken: bool) -> None:
    assert matching(HOOKS[hook_id], [path]) == ([path] if taken else [])


# ---------------------------------------------------------------------------- the examples


def test_check_passes_the_good_example_and_fails_those_with_errors() -> None:
    requests = matching(HOOKS["msgtemplates-check"], example_files())
    # The campaign holds broken lines on purpose, to show what check reports.
    assert requests == [
        "examples/broken-request.json",
        "examples/campaign.jsonl",
        "examples/send-request.json",
    ]
    good = run_hook("msgtemplates-check", ["examples/send-request.json"], cwd=ROOT)
    assert good.returncode == 0, good.stdout + good.stderr
    everything = run_hook("msgtemplates-check", requests, cwd=ROOT)
    assert everything.returncode == 1, everything.stdout + everything.stderr
    assert "examples/broken-request.json: " in everything.stdout
    assert "examples/campaign.jsonl:" in everything.stdout


@pytest.mark.parametrize(
    "name", sorted(path.name for path in (ROOT / "examples" / "catalog").iterdir())
)
def test_lint_passes_each_example_catalog_file(name: str) -> None:
    path = f"examples/catalog/{name}"
    assert matching(HOOKS["msgtemplates-lint"], [path]) == [path]
    result = run_hook("msgtemplates-lint", [path], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# pre-commit passes every staged file of a hook in one call (split across processes only for
# long lists), so `msgtemplates lint` must take several catalog paths. It takes one today;
# this marker comes off when the command line takes `lint CATALOG...`.
def test_lint_passes_all_example_catalog_files_in_one_call() -> None:
    catalogs = matching(HOOKS["msgtemplates-lint"], example_files())
    assert len(catalogs) > 1
    result = run_hook("msgtemplates-lint", catalogs, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------- a broken repository

GOOD_CATALOG = 'default = "en-US"\n[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = "你好 ${who}"\n'
BROKEN_CATALOG = '[content]\n"en-US" = "Hi ${who"\n'
GOOD_REQUEST = (
    '{"appId": "3333010071465913", "accessToken": "t", "requestId": "r1", '
    '"templateCode": "TP_HELLO", "templates": [{"language": "en-US", '
    '"templateParameters": {"who": "Mei"}}]}\n'
)
BROKEN_REQUEST = '{"appId": "", "templateCode": "TP_HELLO", "templates": []}\n'


def test_in_a_broken_repository_lint_fails_on_the_broken_catalog_file(
    tmp_path: pathlib.Path,
) -> None:
    staged = git_repo(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "shop"\n',
            "catalog/TP_HELLO.toml": GOOD_CATALOG,
            "catalog/TP_BROKEN.toml": BROKEN_CATALOG,
        },
    )
    catalogs = matching(HOOKS["msgtemplates-lint"], staged)
    assert sorted(catalogs) == ["catalog/TP_BROKEN.toml", "catalog/TP_HELLO.toml"]
    assert run_hook("msgtemplates-lint", ["catalog/TP_HELLO.toml"], cwd=tmp_path).returncode == 0
    broken = run_hook("msgtemplates-lint", ["catalog/TP_BROKEN.toml"], cwd=tmp_path)
    assert broken.returncode == 1
    assert "[templateSyntax]" in broken.stdout


def test_in_a_broken_repository_check_fails_on_the_broken_request(
    tmp_path: pathlib.Path,
) -> None:
    staged = git_repo(
        tmp_path,
        {
            "catalog/TP_HELLO.toml": GOOD_CATALOG,
            "catalog/TP_EXTRA.json": '{"content": {"en-US": "Hello"}}\n',
            "messages/hello.json": GOOD_REQUEST,
            "messages/broken.json": BROKEN_REQUEST,
        },
    )
    requests = matching(HOOKS["msgtemplates-check"], staged)
    assert sorted(requests) == ["messages/broken.json", "messages/hello.json"]
    with_catalog = ("--catalog", "catalog")
    good = run_hook("msgtemplates-check", ["messages/hello.json"], cwd=tmp_path, args=with_catalog)
    assert good.returncode == 0, good.stdout + good.stderr
    result = run_hook("msgtemplates-check", requests, cwd=tmp_path, args=with_catalog)
    assert result.returncode == 1
    assert "messages/broken.json: /appId: error:" in result.stdout
    assert "messages/hello.json" not in result.stdout.split("\n", 1)[0]
