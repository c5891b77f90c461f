"""The API's semantic rules: one home, used by every check."""

from __future__ import annotations

import sys
import typing as t
import unicodedata
from unittest import mock

import pytest

from msgtemplates import Catalog, check_request
from msgtemplates.rules import (
    INVISIBLE,
    LINK_PARAMETERS,
    first_invisible,
    is_clean_text,
    is_dict,
    is_list,
    is_safe_link,
    is_str,
    language_key,
    utf16_units,
)


def payment_request() -> dict[str, t.Any]:
    """A valid request with two content templates."""
    params = {"merchant": "Sunrise", "amount": "1", "time": "now"}
    return {
        "appId": "3333010071465913",
        "accessToken": "tok-1234567890",
        "requestId": "REQ-1",
        "templateCode": "TP_PAYMENT_SUCCESS",
        "templates": [
            {"language": "en-US", "templateParameters": dict(params)},
            {"language": "zh-HK", "templateParameters": dict(params)},
        ],
    }


def test_invisible_characters_are_exactly_the_ones_the_api_names() -> None:
    named = {0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A)}
    named |= {0x061C, 0xFEFF}
    assert {ord(char) for char in INVISIBLE} == named
    # ZWJ and ZWNJ are legitimate in emoji and many scripts.
    assert first_invisible("👩\u200d💻 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") is None


def test_every_unicode_format_character_makes_a_link_unsafe() -> None:
    format_characters = [
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    ]
    assert len(format_characters) > 150
    unsafe = [char for char in format_characters if is_safe_link(f"https://a.example/x{char}y")]
    assert unsafe == []
    unsafe = [char for char in format_characters if is_safe_link(f"/pages/x{char}y")]
    assert unsafe == []


@pytest.mark.parametrize(
    "link",
    [
        "https://shop.example/receipt?id=1",
        "HTTPS://SHOP.EXAMPLE/R",
        "http://127.0.0.1:8080/x",
        "https://[::1]/x",
        "/pages/order/detail?id=1&from=push",
        "/pages/a.b/c..d",
        "/pages/index#top",
    ],
)
def test_safe_links(link: str) -> None:
    assert is_safe_link(link)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "/pages/../../x",
        "/pages/./x",
        "/pages/a/..",
        "/pages/%2e%2e/x",
        "/pages/%2E%2e/x",
        "/pages/%2e/x",
        "/pages/a/%2e%2e%2fb",
        "/pages/x\u2064",
        "/pages/x\u00ad",
        "https://shop.example/\u2064",
        "https://shop.example/a\u00adb",
        "/pages/%e2%81%a4",
        "/pages/a\\..\\b",
        "/pages/",
        "https://user@evil.example/",
    ],
)
def test_unsafe_links(link: str) -> None:
    assert not is_safe_link(link)


@pytest.mark.parametrize("link", ["/pages/../../x", "/pages/%2e%2e/x", "/pages/x\u2064"])
def test_an_unsafe_link_is_an_unsafe_url_error_of_the_request(link: str) -> None:
    payload = payment_request()
    payload["templates"][0]["templateParameters"]["pushContentUrl"] = link
    codes = [(p.path, p.code) for p in check_request(payload)]
    assert ("/templates/0/templateParameters/pushContentUrl", "unsafeUrl") in codes


def test_link_parameters_are_the_two_the_platform_reads() -> None:
    assert LINK_PARAMETERS == ("pushContentUrl", "redirectUrl")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("en-US", "en-us", True),
        ("en_US", "EN-US", True),
        ("zh-Hant-HK", "zh-hant-hk", True),
        ("in-ID", "id-ID", False),
        ("en-US", "en-GB", False),
    ],
)
def test_one_notion_of_the_same_language(a: str, b: str, same: bool) -> None:
    assert (language_key(a) == language_key(b)) is same


def test_language_sameness_is_the_same_in_requests_and_catalogs() -> None:
    payload = payment_request()
    payload["templates"][1]["language"] = "EN-us"
    problems = check_request(payload)
    assert "duplicateLanguage" in [p.code for p in problems]
    catalog = Catalog({"TP": {"en-US": "Hi", "EN_us": "Hi"}})
    assert "duplicateLanguage" in [p.code for p in catalog.lint()]


def test_utf16_units_count_astral_characters_twice() -> None:
    assert utf16_units("a😀") == 3
    assert is_clean_text("😀" * 2, 4)
    assert not is_clean_text("😀" * 3, 4)


def test_data_is_read_by_its_real_type_not_its_claimed_class() -> None:
    assert is_dict({})
    assert is_list([])
    assert is_str("x")
    checks: list[tuple[mock.MagicMock, t.Callable[[object], bool]]] = [
        (mock.MagicMock(spec=dict), is_dict),
        (mock.MagicMock(spec=list), is_list),
        (mock.MagicMock(spec=str), is_str),
    ]
    for fake, check in checks:
        assert isinstance(fake, fake._spec_class)  # it lies to isinstance
        assert not check(fake)


def test_language_sameness_folds_only_ascii_letters() -> None:
    # KELVIN SIGN lowers to "k" in Unicode; a tag of it is no Khmer tag.
    assert language_key("\u212am") != language_key("km")
