"""The built wheel ships the schemas and works outside the source tree."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import venv
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("msgtemplates-*.whl")
    return built


def test_wheel_contains_both_schemas_and_the_type_marker(wheel: pathlib.Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "msgtemplates/schemas/send-request.schema.json" in names
    assert "msgtemplates/schemas/send-response.schema.json" in names
    assert "msgtemplates/py.typed" in names


def test_installed_wheel_validates_a_request_outside_the_source_tree(
    wheel: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = env_dir / bindir / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    request = json.loads((ROOT / "examples" / "send-request.json").read_text("utf-8"))
    del request["requestId"]
    code = (
        "import json, sys, msgtemplates, pathlib; "
        "assert 'site-packages' in pathlib.Path(msgtemplates.__file__).parts; "
        "problems = msgtemplates.check_request(json.load(sys.stdin)); "
        "print(json.dumps([[p.path, p.code] for p in problems]))"
    )
    run = subprocess.run(
        [str(python), "-c", code],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [["/requestId", "required"]]
