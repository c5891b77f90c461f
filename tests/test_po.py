"""PO exchange: export a catalog for translators, edit the PO files with Babel, import them back."""

# Full-width Chinese punctuation is the point of these texts, not a typo.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po, write_po
from hypothesis import given, settings
from hypothesis import strategies as st

from msgtemplates import Catalog, CatalogError
from msgtemplates.po import export_po, import_po

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "catalog"

COMMENTED = """\
# Greeting, as approved on 2024-05-01.
default = "en-US"   # the source language

[content]
# English first: translators work from it.
"en-US" = "Hello ${who}, your code is ${code}."   # approved
"zh-CN" = "${who}，你好，验证码是${code}。"
'th-TH' = 'สวัสดี ${who} รหัสของคุณคือ ${code}'

# Nothing after this comment is content.
"""

FAREWELL = '[content]\n"en-US" = "Goodbye ${who}."\n"zh-CN" = "再见，${who}。"\n'

JSON_CATALOG = """\
{
  "default": "en-US",
  "content": {
    "en-US": "Your parcel ${parcel} is out for delivery.",
    "zh-HK": "你的包裹${parcel}正在派送。"
  }
}
"""


@pytest.fixture
def catalog(tmp_path: pathlib.Path) -> pathlib.Path:
    directory = tmp_path / "catalog"
    directory.mkdir()
    (directory / "TP_HELLO.toml").write_text(COMMENTED, encoding="utf-8")
    (directory / "TP_BYE.toml").write_text(FAREWELL, encoding="utf-8")
    (directory / "TP_PARCEL.json").write_text(JSON_CATALOG, encoding="utf-8")
    return directory


def snapshot(directory: pathlib.Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def read(path: pathlib.Path) -> PoCatalog:
    with path.open("rb") as stream:
        return read_po(stream)


def edit(path: pathlib.Path, code: str, text: str, *, fuzzy: bool = False) -> None:
    """Change one entry's msgstr, as a translation tool would, through Babel."""
    po = read(path)
    (message,) = [m for m in po if m.context == code]
    message.string = text
    if fuzzy:
        message.flags.add("fuzzy")
    with path.open("wb") as stream:
        write_po(stream, po)


def changed_lines(before: bytes, after: bytes) -> list[tuple[str, str]]:
    old, new = before.decode().splitlines(), after.decode().splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


# ---------------------------------------------------------------------------- export


def test_export_writes_one_po_file_per_language_the_default_included(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    written = export_po(catalog, tmp_path / "po")
    assert [pathlib.Path(path).name for path in written] == [
        "en-US.po",
        "zh-CN.po",
        "th-TH.po",
        "zh-HK.po",
    ]
    assert sorted(os.listdir(tmp_path / "po")) == sorted(pathlib.Path(p).name for p in written)


def test_an_entry_has_the_code_as_context_and_the_default_text_as_msgid(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    entries = {m.context: m for m in read(tmp_path / "po" / "zh-CN.po") if m.id}
    assert set(entries) == {"TP_BYE", "TP_HELLO", "TP_PARCEL"}
    hello = entries["TP_HELLO"]
    assert hello.id == "Hello ${who}, your code is ${code}."
    assert hello.string == "${who}，你好，验证码是${code}。"
    assert "placeholders: ${who}, ${code}" in hello.auto_comments
    assert "source language: en-US" in hello.auto_comments
    # Babel must not flag ${name} texts as Python formats for tools to check.
    assert "python-" not in (tmp_path / "po" / "zh-CN.po").read_text(encoding="utf-8")
    # TP_PARCEL has no zh-CN text: its entry is left to translate.
    assert entries["TP_PARCEL"].string == ""
    assert entries["TP_PARCEL"].id == "Your parcel ${parcel} is out for delivery."


def test_the_default_language_file_holds_the_source_texts(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    for message in read(tmp_path / "po" / "en-US.po"):
        if message.id:
            assert message.string == message.id


def test_export_of_the_example_catalog_covers_every_text(tmp_path: pathlib.Path) -> None:
    loaded = Catalog.load(EXAMPLES)
    written = export_po(EXAMPLES, tmp_path / "po")
    assert len(written) == len(loaded.languages(loaded.codes[0]))
    for path in written:
        language = pathlib.Path(path).stem
        entries = [message for message in read(pathlib.Path(path)) if message.id]
        assert [message.context for message in entries] == list(loaded.codes)
        for message in entries:
            assert message.context is not None
            rendered = loaded.render(message.context, language, {}, missing="keep")
            assert (message.string, rendered.language) == (rendered.text, language)


# ---------------------------------------------------------------------------- round trip


def test_export_edit_import_changes_only_that_text_and_keeps_every_comment(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    before = snapshot(catalog)
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "zh-CN.po", "TP_HELLO", "你好，${who}！你的验证码：${code}")
    assert import_po(tmp_path / "po", catalog) == []
    after = snapshot(catalog)
    assert Catalog.load(catalog).render("TP_HELLO", "zh-CN", {"who": "李", "code": "42"}).text == (
        "你好，李！你的验证码：42"
    )
    assert changed_lines(before["TP_HELLO.toml"], after["TP_HELLO.toml"]) == [
        (
            '"zh-CN" = "${who}，你好，验证码是${code}。"',
            '"zh-CN" = "你好，${who}！你的验证码：${code}"',
        )
    ]
    assert {k: v for k, v in after.items() if k != "TP_HELLO.toml"} == {
        k: v for k, v in before.items() if k != "TP_HELLO.toml"
    }


def test_a_trailing_comment_and_the_string_style_survive_a_changed_text(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    before = (catalog / "TP_HELLO.toml").read_bytes()
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "en-US.po", "TP_HELLO", "Hi ${who}, your code: ${code}.")
    edit(tmp_path / "po" / "th-TH.po", "TP_HELLO", "สวัสดีค่ะ ${who} รหัส ${code}")
    assert import_po(tmp_path / "po", catalog) == []
    assert changed_lines(before, (catalog / "TP_HELLO.toml").read_bytes()) == [
        (
            '"en-US" = "Hello ${who}, your code is ${code}."   # approved',
            '"en-US" = "Hi ${who}, your code: ${code}."   # approved',
        ),
        ("'th-TH' = 'สวัสดี ${who} รหัสของคุณคือ ${code}'", "'th-TH' = 'สวัสดีค่ะ ${who} รหัส ${code}'"),
    ]


def test_an_import_without_changes_writes_nothing(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    before = snapshot(catalog)
    stamps = {path.name: path.stat().st_mtime_ns for path in catalog.iterdir()}
    export_po(catalog, tmp_path / "po")
    assert import_po(tmp_path / "po", catalog) == []
    assert snapshot(catalog) == before
    assert {path.name: path.stat().st_mtime_ns for path in catalog.iterdir()} == stamps


def test_a_json_catalog_keeps_its_layout_and_gains_a_new_language(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "zh-HK.po", "TP_PARCEL", "包裹${parcel}派送中。")
    edit(tmp_path / "po" / "th-TH.po", "TP_PARCEL", "พัสดุ ${parcel} กำลังนำส่ง")
    assert import_po(tmp_path / "po", catalog) == []
    text = (catalog / "TP_PARCEL.json").read_text(encoding="utf-8")
    assert text == (
        "{\n"
        '  "default": "en-US",\n'
        '  "content": {\n'
        '    "en-US": "Your parcel ${parcel} is out for delivery.",\n'
        '    "zh-HK": "包裹${parcel}派送中。",\n'
        '    "th-TH": "พัสดุ ${parcel} กำลังนำส่ง"\n'
        "  }\n"
        "}\n"
    )
    assert json.loads(text)["content"]["th-TH"] == "พัสดุ ${parcel} กำลังนำส่ง"


def test_a_language_new_to_a_toml_template_is_added_to_its_content(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    before = (catalog / "TP_BYE.toml").read_text(encoding="utf-8")
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "th-TH.po", "TP_BYE", "ลาก่อน ${who}")
    assert import_po(tmp_path / "po", catalog) == []
    after = (catalog / "TP_BYE.toml").read_text(encoding="utf-8")
    assert after == before + '"th-TH" = "ลาก่อน ${who}"\n'
    assert Catalog.load(catalog).languages("TP_BYE") == ("en-US", "zh-CN", "th-TH")


def test_a_po_file_of_a_language_the_catalog_lacks_adds_it(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    korean = PoCatalog(locale="ko_KR")
    korean.add("Goodbye ${who}.", "안녕히 가세요, ${who}.", context="TP_BYE")
    with (tmp_path / "po" / "ko_KR.po").open("wb") as stream:
        write_po(stream, korean)
    assert import_po(tmp_path / "po", catalog) == []
    loaded = Catalog.load(catalog)
    assert loaded.languages("TP_BYE")[-1] == "ko-KR"
    assert loaded.render("TP_BYE", "ko", {"who": "민준"}).text == "안녕히 가세요, 민준."
    assert "ko-KR" not in loaded.languages("TP_HELLO")


def test_a_single_file_catalog_round_trips(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "TP_BYE.toml"
    file.write_text(FAREWELL, encoding="utf-8")
    assert [pathlib.Path(p).name for p in export_po(file, tmp_path / "po")] == [
        "en-US.po",
        "zh-CN.po",
    ]
    edit(tmp_path / "po" / "zh-CN.po", "TP_BYE", "${who}，再会。")
    assert import_po(tmp_path / "po", file) == []
    assert Catalog.load(file).render("TP_BYE", "zh-CN", {"who": "王"}).text == "王，再会。"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-CN", "您好${who}，验证码${code}。「引号」与 emoji 🎉"),
        ("th-TH", "สวัสดีครับคุณ ${who} รหัส ${code} ใช้ได้ 5 นาที"),
        ("en-US", 'Quotes " and \\ backslashes, tab\there: ${who} ${code}'),
    ],
)
def test_non_ascii_and_escaped_texts_round_trip_exactly(
    catalog: pathlib.Path, tmp_path: pathlib.Path, language: str, text: str
) -> None:
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / f"{language}.po", "TP_HELLO", text)
    assert import_po(tmp_path / "po", catalog) == []
    values = {"who": "${who}", "code": "${code}"}
    assert Catalog.load(catalog).render("TP_HELLO", language, values).text == text
    # And back out: the new text is what the next export gives the translator.
    export_po(catalog, tmp_path / "again")
    (entry,) = [m for m in read(tmp_path / "again" / f"{language}.po") if m.context == "TP_HELLO"]
    assert entry.string == text


def test_fuzzy_and_obsolete_entries_are_ignored(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    before = snapshot(catalog)
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "zh-CN.po", "TP_HELLO", "不确定 ${who}", fuzzy=True)
    with (tmp_path / "po" / "zh-CN.po").open("a", encoding="utf-8") as stream:
        stream.write('\n#~ msgctxt "TP_GONE"\n#~ msgid "Old"\n#~ msgstr "旧"\n')
    assert import_po(tmp_path / "po", catalog) == []
    assert snapshot(catalog) == before


# ---------------------------------------------------------------------------- refused imports


@pytest.mark.parametrize(
    ("code", "language", "text", "problem", "words"),
    [
        ("TP_HELLO", "zh-CN", "你好 ${who}", "placeholderMismatch", "lacks ${code}"),
        ("TP_HELLO", "th-TH", "${who} ${code} ${extra}", "placeholderMismatch", "uses ${extra}"),
        ("TP_BYE", "zh-CN", "再见 ${who", "templateSyntax", "line 1, column 4"),
        ("TP_BYE", "zh-CN", "再见 ${}", "templateSyntax", "syntax error"),
        ("TP_PARCEL", "zh-HK", "包裹 ${parcl}", "placeholderMismatch", "${parcel}"),
    ],
)
def test_an_import_that_breaks_a_template_is_refused_and_writes_nothing(
    catalog: pathlib.Path,
    tmp_path: pathlib.Path,
    code: str,
    language: str,
    text: str,
    problem: str,
    words: str,
) -> None:
    export_po(catalog, tmp_path / "po")
    # A good change in another file must not be written either.
    edit(tmp_path / "po" / "zh-HK.po", "TP_BYE", "再見，${who}。")
    edit(tmp_path / "po" / f"{language}.po", code, text)
    before = snapshot(catalog)
    problems = import_po(tmp_path / "po", catalog)
    assert [(p.path, p.code, p.severity) for p in problems] == [
        (f"/{code}/{language}", problem, "error")
    ]
    assert words in problems[0].message
    assert snapshot(catalog) == before


def test_a_source_text_that_drops_a_placeholder_is_refused_for_every_translation(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "en-US.po", "TP_HELLO", "Hello ${who}.")
    before = snapshot(catalog)
    problems = import_po(tmp_path / "po", catalog)
    assert [(p.path, p.code) for p in problems] == [
        ("/TP_HELLO/zh-CN", "placeholderMismatch"),
        ("/TP_HELLO/th-TH", "placeholderMismatch"),
    ]
    assert all("uses ${code}" in p.message for p in problems)
    assert snapshot(catalog) == before


def test_an_entry_for_a_code_the_catalog_lacks_is_refused(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    po = read(tmp_path / "po" / "zh-CN.po")
    po.add("Welcome", "欢迎", context="TP_WELCOME")
    with (tmp_path / "po" / "zh-CN.po").open("wb") as stream:
        write_po(stream, po)
    before = snapshot(catalog)
    problems = import_po(tmp_path / "po", catalog)
    assert [(p.path, p.code, p.severity) for p in problems] == [
        ("/TP_WELCOME/zh-CN", "unknownTemplate", "error")
    ]
    assert snapshot(catalog) == before


@pytest.mark.parametrize(
    ("name", "words"),
    [("messages.po", "is not named after a language tag"), ("zh_cn.po", 'as "zh-CN.po"')],
)
def test_po_files_named_after_no_language_or_twice_the_same_are_catalog_errors(
    catalog: pathlib.Path, tmp_path: pathlib.Path, name: str, words: str
) -> None:
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "zh-CN.po", "TP_BYE", "${who}，再会。")
    shutil.copy(tmp_path / "po" / "zh-CN.po", tmp_path / "po" / name)
    before = snapshot(catalog)
    with pytest.raises(CatalogError, match=words) as caught:
        import_po(tmp_path / "po", catalog)
    assert caught.value.path.endswith(name)
    assert snapshot(catalog) == before


def test_a_translation_without_msgctxt_is_a_catalog_error(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    po = read(tmp_path / "po" / "zh-CN.po")
    po.add("Goodbye ${who}.", "再见 ${who}")
    with (tmp_path / "po" / "zh-CN.po").open("wb") as stream:
        write_po(stream, po)
    before = snapshot(catalog)
    with pytest.raises(CatalogError, match="without msgctxt"):
        import_po(tmp_path / "po", catalog)
    assert snapshot(catalog) == before


def test_a_po_directory_without_po_files_is_a_catalog_error(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError, match="holds no PO files"):
        import_po(tmp_path / "empty", catalog)


def test_a_po_file_that_does_not_parse_is_a_catalog_error(
    catalog: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    export_po(catalog, tmp_path / "po")
    (tmp_path / "po" / "zh-CN.po").write_text('msgctxt "TP_BYE"\nmsgid "Goodbye\n', "utf-8")
    before = snapshot(catalog)
    with pytest.raises(CatalogError, match="is not a valid PO file") as caught:
        import_po(tmp_path / "po", catalog)
    assert caught.value.path.endswith("zh-CN.po")
    assert snapshot(catalog) == before


def test_a_broken_catalog_is_a_catalog_error_for_both_directions(tmp_path: pathlib.Path) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "TP_X.toml").write_text('colour = "blue"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="unknown key"):
        export_po(tmp_path / "catalog", tmp_path / "po")
    (tmp_path / "po").mkdir(exist_ok=True)
    (tmp_path / "po" / "en-US.po").write_bytes(b"")
    with pytest.raises(CatalogError, match="unknown key"):
        import_po(tmp_path / "po", tmp_path / "catalog")


def test_an_import_leaves_no_temporary_files(catalog: pathlib.Path, tmp_path: pathlib.Path) -> None:
    names = sorted(os.listdir(catalog))
    export_po(catalog, tmp_path / "po")
    edit(tmp_path / "po" / "zh-CN.po", "TP_BYE", "${who}，再会。")
    assert import_po(tmp_path / "po", catalog) == []
    assert sorted(os.listdir(catalog)) == names
    assert sorted(os.listdir(tmp_path / "po")) == ["en-US.po", "th-TH.po", "zh-CN.po", "zh-HK.po"]


@pytest.mark.parametrize(
    ("original", "text", "expected"),
    [
        # A file with CRLF line endings keeps them, on changed and added lines alike.
        (
            '\ufeff[content]\r\n"en-US" = "Hi ${who}"\r\n"zh-CN" = "嗨 ${who}"\r\n',
            "你好 ${who}",
            '\ufeff[content]\r\n"en-US" = "Hi ${who}"\r\n"zh-CN" = "你好 ${who}"\r\n',
        ),
        # A multi-line string stays one.
        (
            '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = """嗨\n${who}"""\n',
            "你好\n${who}",
            '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = """你好\n${who}"""\n',
        ),
        # TOML drops a newline right after the opening quotes, so a text that starts with one
        # needs a second.
        (
            '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = """嗨\n${who}"""\n',
            "\n你好 ${who}",
            '[content]\n"en-US" = "Hi ${who}"\n"zh-CN" = """\n\n你好 ${who}"""\n',
        ),
    ],
)
def test_a_toml_file_keeps_its_byte_order_mark_line_endings_and_string_style(
    tmp_path: pathlib.Path, original: str, text: str, expected: str
) -> None:
    directory = tmp_path / "catalog"
    directory.mkdir()
    (directory / "TP_HI.toml").write_bytes(original.encode("utf-8"))
    export_po(directory, tmp_path / "po")
    edit(tmp_path / "po" / "zh-CN.po", "TP_HI", text)
    assert import_po(tmp_path / "po", directory) == []
    assert (directory / "TP_HI.toml").read_bytes().decode("utf-8") == expected
    assert Catalog.load(directory).render("TP_HI", "zh-CN", {"who": "${who}"}).text == text


# Any text a translator can type, placeholders aside: no lone surrogates (UTF-8 cannot carry
# them), no NUL (PO files cannot), no "$" (that would make new placeholders).
_TYPED = st.characters(exclude_categories=["Cs"], exclude_characters="\x00$")


# Each example writes and rewrites files; 50 cover the escapes of TOML, JSON and PO well.
@settings(max_examples=50, deadline=None)
@given(
    before=st.text(_TYPED, min_size=1, max_size=30).filter(str.strip),
    after=st.text(_TYPED, max_size=20),
    kind=st.sampled_from(["toml", "json"]),
)
def test_any_translated_text_round_trips_through_po_into_toml_and_json(
    before: str, after: str, kind: str
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch)
        (root / "catalog").mkdir()
        if kind == "toml":
            source = '# kept\n[content]\n"en-US" = "Hi ${who}"  # kept\n"th-TH" = "${who}"\n'
        else:
            source = '{"content": {"en-US": "Hi ${who}", "th-TH": "${who}"}}\n'
        (root / "catalog" / f"TP_HI.{kind}").write_text(source, encoding="utf-8")
        export_po(root / "catalog", root / "po")
        text = before + "${who}" + after
        edit(root / "po" / "th-TH.po", "TP_HI", text)
        assert import_po(root / "po", root / "catalog") == []
        loaded = Catalog.load(root / "catalog")
        assert loaded.render("TP_HI", "th-TH", {"who": "${who}"}).text == text
        assert loaded.render("TP_HI", "en-US", {"who": "Mei"}).text == "Hi Mei"
        if kind == "toml":
            assert (root / "catalog" / "TP_HI.toml").read_text("utf-8").count("# kept") == 2
