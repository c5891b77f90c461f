"""The pytest plugin and assert_sendable, run end to end with pytest's own ``pytester``."""

from __future__ import annotations

import importlib.util
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest
from helpers import payment_request

import msgtemplates
from msgtemplates import Catalog
from msgtemplates.assertions import assert_sendable

pytest_plugins = ["pytester"]

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
# Blocks the installed entry point (once pyproject declares it) so that the plugin is loaded
# exactly once, from the tree under test.
PLUGIN = ("-p", "no:msgtemplates", "-p", "msgtemplates.pytest_plugin")

BROKEN = '[content]\n"en-US" = "Hi ${who"\n"zh-CN" = "你好 ${who}"\n'
WARNED = '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = "你好"\n'
CLEAN = '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = "你好 ${who}"\n'


def configure(pytester: pytest.Pytester, *catalogs: str, strict: bool | None = None) -> None:
    lines = ["[pytest]"]
    if catalogs:
        lines.append("msgtemplates_catalogs =")
        lines.extend(f"    {catalog}" for catalog in catalogs)
    if strict is not None:
        lines.append(f"msgtemplates_strict = {'true' if strict else 'false'}")
    pytester.makeini("\n".join(lines) + "\n")


def catalog_dir(pytester: pytest.Pytester, name: str, **files: str) -> pathlib.Path:
    directory = pytester.path / name
    directory.mkdir(parents=True)
    for code, text in files.items():
        (directory / f"{code}.toml").write_text(text, encoding="utf-8")
    return directory


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*PLUGIN, "-p", "no:cacheprovider", *args)


def collected_ids(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = run(pytester, "--collect-only", "-q", *args)
    # The node ids, then a blank line and the count.
    return result.outlines[: result.outlines.index("")] if "" in result.outlines else []


# ---------------------------------------------------------------------------- no configuration


def test_without_configuration_the_plugin_adds_no_items_and_changes_no_outcome(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_one():\n    pass\n\ndef test_two():\n    assert False\n")
    plain = pytester.runpytest_inprocess("-p", "no:msgtemplates", "-p", "no:cacheprovider")
    with_plugin = run(pytester)
    assert with_plugin.parseoutcomes() == plain.parseoutcomes() == {"passed": 1, "failed": 1}
    assert collected_ids(pytester) == [
        "test_without_configuration_the_plugin_adds_no_items_and_changes_no_outcome.py::test_one",
        "test_without_configuration_the_plugin_adds_no_items_and_changes_no_outcome.py::test_two",
    ]
    assert "msgtemplates lint" not in with_plugin.stdout.str()


def test_without_configuration_no_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--markers")
    assert not any(line.startswith("@pytest.mark.msgtemplates") for line in result.outlines)


def test_importing_the_plugin_loads_nothing_beyond_msgtemplates_and_pytest() -> None:
    code = (
        "import sys, msgtemplates, pytest\n"
        "before = set(sys.modules)\n"
        "import msgtemplates.pytest_plugin\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    root = str(pathlib.Path(msgtemplates.__file__).resolve().parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": root, "PATH": ""},
    ).stdout
    assert out.strip() == "['msgtemplates.pytest_plugin']"


# ---------------------------------------------------------------------------- catalog items


def test_each_template_code_of_a_clean_catalog_is_a_passing_item(
    pytester: pytest.Pytester,
) -> None:
    shutil.copytree(EXAMPLES / "catalog", pytester.path / "catalog")
    configure(pytester, "catalog")
    codes = Catalog.load(EXAMPLES / "catalog").codes
    assert collected_ids(pytester) == [f"catalog::{code}" for code in codes]
    result = run(pytester)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=len(codes))


def test_a_template_with_lint_errors_fails_with_its_problem_lines(
    pytester: pytest.Pytester,
) -> None:
    catalog_dir(pytester, "texts", TP_BROKEN=BROKEN, TP_CLEAN=CLEAN)
    configure(pytester, "texts")
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*texts::TP_BROKEN*",
            "template TP_BROKEN: 1 error, 0 warnings (msgtemplates lint)",
            "texts/TP_BROKEN.toml:2: /TP_BROKEN/en-US: error: *column 4*[[]templateSyntax[]]",
            "FAILED texts::TP_BROKEN*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_warnings_are_shown_but_do_not_fail_without_strict(pytester: pytest.Pytester) -> None:
    catalog_dir(pytester, "texts", TP_WARNED=WARNED)
    configure(pytester, "texts", strict=False)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*msgtemplates lint warnings*",
            "texts/TP_WARNED.toml:3: /TP_WARNED/zh-CN: warning: *${who}* [[]placeholderMismatch[]]",
        ]
    )


def test_strict_mode_fails_on_warnings(pytester: pytest.Pytester) -> None:
    catalog_dir(pytester, "texts", TP_WARNED=WARNED, TP_CLEAN=CLEAN)
    configure(pytester, "texts", strict=True)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "template TP_WARNED: 0 errors, 1 warning (msgtemplates lint, strict)",
            "texts/TP_WARNED.toml:3: /TP_WARNED/zh-CN: warning: * [[]placeholderMismatch[]]",
        ]
    )


def test_a_catalog_that_cannot_load_is_one_failing_item_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    catalog_dir(pytester, "texts", TP_ODD='colour = "blue"\n')
    catalog_dir(pytester, "good", TP_CLEAN=CLEAN)
    configure(pytester, "texts", "good")
    assert collected_ids(pytester) == ["texts", "good::TP_CLEAN"]
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["cannot load the catalog: *TP_ODD.toml: has unknown key ?colour?*", "FAILED texts *"]
    )


def test_a_single_catalog_file_is_a_one_template_catalog(pytester: pytest.Pytester) -> None:
    catalog_dir(pytester, "texts", TP_BROKEN=BROKEN, TP_CLEAN=CLEAN)
    configure(pytester, "texts/TP_CLEAN.toml")
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert collected_ids(pytester) == ["texts/TP_CLEAN.toml::TP_CLEAN"]


def test_catalog_items_join_runs_whose_paths_hold_the_catalog(
    pytester: pytest.Pytester,
) -> None:
    catalog_dir(pytester, "texts", TP_CLEAN=CLEAN)
    pytester.makepyfile(test_some="def test_one():\n    pass\n")
    configure(pytester, "texts")
    assert collected_ids(pytester, "test_some.py") == ["test_some.py::test_one"]
    assert "texts::TP_CLEAN" in collected_ids(pytester, ".")
    assert collected_ids(pytester, "texts") == ["texts::TP_CLEAN"]


def test_catalog_items_answer_keyword_and_marker_selection(pytester: pytest.Pytester) -> None:
    catalog_dir(pytester, "texts", TP_BROKEN=BROKEN, TP_CLEAN=CLEAN)
    pytester.makepyfile(test_some="def test_one():\n    pass\n")
    configure(pytester, "texts")
    run(pytester, "-k", "TP_CLEAN").assert_outcomes(passed=1, deselected=2)
    run(pytester, "-m", "not msgtemplates").assert_outcomes(passed=1, deselected=2)
    run(pytester, "--strict-markers", "-m", "msgtemplates").assert_outcomes(
        passed=1, failed=1, deselected=1
    )


def test_a_catalog_outside_testpaths_is_still_collected(pytester: pytest.Pytester) -> None:
    catalog_dir(pytester, "texts", TP_CLEAN=CLEAN)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_some.py").write_text("def test_one():\n    pass\n")
    pytester.makeini("[pytest]\ntestpaths = tests\nmsgtemplates_catalogs = texts\n")
    run(pytester).assert_outcomes(passed=2)


# ---------------------------------------------------------------------------- fixtures


def test_the_catalog_fixture_loads_the_first_configured_catalog(
    pytester: pytest.Pytester,
) -> None:
    catalog_dir(pytester, "first", TP_CLEAN=CLEAN)
    catalog_dir(pytester, "second", TP_OTHER=CLEAN)
    configure(pytester, "first", "second")
    pytester.makepyfile(
        test_fixture="""
        import msgtemplates

        def test_it(msgtemplates_catalog):
            assert isinstance(msgtemplates_catalog, msgtemplates.Catalog)
            assert msgtemplates_catalog.codes == ("TP_CLEAN",)
            text = msgtemplates_catalog.render("TP_CLEAN", "zh-CN", {"who": "Mei"}).text
            assert text == "你好 Mei"
        """
    )
    run(pytester, "test_fixture.py").assert_outcomes(passed=1)


def test_the_catalog_fixture_without_configuration_errors_saying_what_to_set(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_fixture="def test_it(msgtemplates_catalog):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*needs a catalog: set msgtemplates_catalogs*"])


def test_fake_wallet_skips_saying_what_to_install_when_it_is_missing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import fail, as a missing module would.
    monkeypatch.setitem(sys.modules, "msgtemplates.fakewallet", None)
    pytester.makepyfile(test_wallet="def test_it(fake_wallet):\n    pass\n")
    result = run(pytester, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*fake_wallet fixture needs msgtemplates.fakewallet*[[]send[]]*"])


@pytest.mark.skipif(
    importlib.util.find_spec("msgtemplates.fakewallet") is None,
    reason="msgtemplates.fakewallet is not in this tree",
)
def test_fake_wallet_accepts_a_request_signed_with_the_merchant_key(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_wallet=f"""
        import json

        import httpx

        from msgtemplates import interpret_response
        from msgtemplates.send import SEND_PATH, sign_request

        PAYLOAD = {payment_request("token-1")!r}

        def test_it(fake_wallet):
            assert "PRIVATE" not in repr(fake_wallet)
            assert fake_wallet.merchant_public_key.startswith("-----BEGIN PUBLIC KEY-----")
            body = json.dumps(PAYLOAD).encode()
            headers = sign_request(body, credentials=fake_wallet.credentials, path=SEND_PATH)
            with httpx.Client(transport=fake_wallet.wallet.transport) as client:
                answer = client.post("http://wallet" + SEND_PATH, content=body, headers=headers)
            assert interpret_response(answer.content).succeeded
            assert list(fake_wallet.wallet.delivered) == ["REQ-1"]
        """
    )
    # In a process of its own: an in-process run forgets the modules it imported when it ends,
    # and cryptography's compiled core cannot be imported a second time.
    result = pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", "test_wallet.py")
    result.assert_outcomes(passed=1)


# ---------------------------------------------------------------------------- assert_sendable


def test_assert_sendable_passes_a_valid_request() -> None:
    assert_sendable(payment_request("token-1"))
    assert_sendable(payment_request("token-1"), Catalog.load(EXAMPLES / "catalog"))


def test_assert_sendable_passes_when_there_are_only_warnings() -> None:
    payload = payment_request("token-1")
    payload["templates"][0]["templateParameters"]["extra"] = "unused"
    catalog = Catalog.load(EXAMPLES / "catalog")
    assert [p.severity for p in msgtemplates.check_request(payload, catalog=catalog)] == ["warning"]
    assert_sendable(payload, catalog=catalog)


def test_assert_sendable_lists_every_problem_warnings_included_one_per_line() -> None:
    payload = payment_request("token-1", appId="", templateCode="TP_PAYMENT_SUCCESS")
    payload["templates"][0]["templateParameters"] = {"merchant": "Sunrise", "extra": "x"}
    catalog = Catalog.load(EXAMPLES / "catalog")
    problems = msgtemplates.check_request(payload, catalog=catalog)
    assert {"error", "warning"} <= {p.severity for p in problems}
    with pytest.raises(AssertionError) as caught:
        assert_sendable(payload, catalog=catalog)
    lines = str(caught.value).splitlines()
    errors = sum(p.severity == "error" for p in problems)
    assert lines[0].startswith(f"the request is not sendable: {errors} errors, ")
    assert lines[1:] == [str(problem) for problem in problems]


def test_assert_sendable_never_shows_the_access_token() -> None:
    token = "secret-token-value"
    payload = payment_request(token, templateCode=token)
    with pytest.raises(AssertionError) as caught:
        assert_sendable(payload, catalog=Catalog.load(EXAMPLES / "catalog"))
    assert token not in str(caught.value)


def test_assert_sendable_rejects_a_catalog_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="catalog"):
        assert_sendable(payment_request("token-1"), catalog={"TP": {}})  # type: ignore[arg-type]


def test_assert_sendable_failure_reads_well_in_a_pytest_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_sendable=textwrap.dedent(
            """
            from msgtemplates.assertions import assert_sendable

            def test_it():
                assert_sendable({"appId": "app"})
            """
        )
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E * AssertionError: the request is not sendable: 4 errors, 0 warnings",
            "E * /accessToken: error: * [[]required[]]",
        ]
    )
