"""Language tags: normalisation, well-formedness, CLDR fallback chains and best_match.

Every rule of which text a user's locale gets lives here; other modules ask
:func:`best_match` and :func:`base_tag`, and compare tags by ``language_key`` (from
:mod:`msgtemplates.rules`, re-exported here), rather than comparing tags themselves.
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import re
import typing as t

from .errors import UnknownLanguage
from .problems import describe
from .rules import is_str, language_key

# language_key has its home in rules (language sameness); it is public here too, beside
# base_tag, since the two are how other modules compare a request's tag with a catalog's.
__all__ = [
    "base_tag",
    "best_match",
    "canonical_tag",
    "fallback_chain",
    "is_known_tag",
    "language_key",
    "resolve_language",
    "suggest_tag",
]

# language[-Script][-REGION]; \Z rather than $ so that "en-US\n" is not well-formed.
_WELL_FORMED = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?\Z")


# The same, then BCP 47 variants, extensions and private use (RFC 5646 section 2.1), at least
# one subtag of them. Each subtag is closed by a look-ahead and the tail is one atomic group, so
# a long run of tag-like text is read in one linear pass, never backtracked.
@functools.cache
def _extended() -> re.Pattern[str]:
    """The extended-tag pattern, compiled on first use (import stays light)."""
    return re.compile(
        r"(?P<base>[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-[A-Za-z]{2}|-[0-9]{3})?)(?=-)"
        r"(?>"
        r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3})(?![A-Za-z0-9]))*"
        r"(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8}(?![A-Za-z0-9]))+)*"
        r"(?:-[Xx](?:-[A-Za-z0-9]{1,8}(?![A-Za-z0-9]))+)?"
        r")\Z"
    )


def _lower(text: str) -> str:
    # Tags are ASCII; lowering only ASCII keeps "K" (KELVIN SIGN) from passing for "k".
    # bytes.lower() touches ASCII letters alone, and surrogatepass keeps lone surrogates.
    if text.isascii():
        return text.lower()
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def canonical_tag(tag: object) -> str | None:
    """The canonical-case form of a well-formed hyphenated tag, or ``None`` if not well-formed.

    Only ``language[-Script][-REGION]`` is well-formed here: this is the check of a request's
    own ``language`` field, so variants and extensions are not.

    >>> canonical_tag("zh-hant-hk"), canonical_tag("en_US"), canonical_tag("en-US\\n")
    ('zh-Hant-HK', None, None)
    >>> print(canonical_tag("th-TH-u-ca-buddhist"))
    None
    """
    if type(tag) is str and len(tag) <= _TAG_KEPT:
        # A batch sends the same few tags on every line: their answers are kept.
        return _canonical_kept(tag)
    if not is_str(tag):
        return None
    return _canonical(tag)


def _canonical(tag: str) -> str | None:
    match = _WELL_FORMED.match(tag)
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


# Every well-formed tag is at most 12 characters (language, script and region); a slightly
# longer typo is kept too, anything longer is looked at each time.
_TAG_KEPT = 16
_canonical_kept = functools.lru_cache(maxsize=1024)(_canonical)


def suggest_tag(tag: object) -> str | None:
    """A well-formed tag close to a malformed one (``en_US`` gives ``en-US``), if there is one.

    >>> suggest_tag("en_us"), suggest_tag(" zh_Hant_HK\\n"), suggest_tag("english")
    ('en-US', 'zh-Hant-HK', None)
    """
    if type(tag) is str and len(tag) <= _TAG_KEPT:
        return _suggestion_kept(tag)
    if not is_str(tag) or len(tag) > 64:
        return None
    return _suggestion(tag)


def _suggestion(tag: str) -> str | None:
    # Not through canonical_tag's kept answers: the text made here is new every time.
    return _canonical(tag.strip().replace("_", "-"))


_suggestion_kept = functools.lru_cache(maxsize=1024)(_suggestion)


# RFC 5646 sets no length limit, but no device sends a locale near this long; longer text is
# not read as a tag at all, so a huge input costs one length check, not a parse.
_LONGEST_EXTENDED = 255


def _base_length(hyphenated: str) -> int:
    """The length of the language, script and region of a tag with more subtags, else 0."""
    if len(hyphenated) > _LONGEST_EXTENDED:
        return 0
    match = _extended().match(hyphenated)
    return 0 if match is None else match.end("base")


def base_tag(tag: str, /) -> str:
    """The ``language[-Script][-REGION]`` part of a tag with variants, extensions or private use.

    A well-formed BCP 47 tag that carries variants (``de-DE-1996``), extensions
    (``th-TH-u-ca-buddhist``) or private use (``en-US-x-twain``) gives its leading part, spelled
    as given; any other text, a plain tag included, is returned unchanged, and so is text over
    255 characters. ``_`` is read as ``-``, as :func:`best_match` reads it. Language, script and
    region are not checked against CLDR.

    :param tag: a language tag, e.g. a device locale.
    :returns: the leading part, or ``tag`` itself.
    :raises TypeError: if ``tag`` is not a string.

    >>> base_tag("th-TH-u-ca-buddhist"), base_tag("ca-ES-valencia"), base_tag("en-US-x-twain")
    ('th-TH', 'ca-ES', 'en-US')
    >>> base_tag("zh-Hant-HK"), base_tag("en_US_POSIX"), base_tag("en-US-x"), base_tag("x-twain")
    ('zh-Hant-HK', 'en_US', 'en-US-x', 'x-twain')
    """
    if not is_str(tag):
        raise TypeError(f"tag must be a string, not {describe(tag)}")
    end = _base_length(tag.replace("_", "-"))
    return tag[:end] if end else tag


@functools.lru_cache(maxsize=4096)
def is_known_tag(tag: str) -> bool:
    """Whether a well-formed tag names a language with CLDR locale data.

    The language is read after legacy codes are mapped (``in`` to ``id``, ``iw`` to ``he``,
    ``tl`` to ``fil``); a script and a region, where given, must be CLDR codes.

    >>> [is_known_tag(tag) for tag in ("in-ID", "zh-Hant-HK", "xx-US", "en-QQ")]
    [True, True, False, False]
    """
    canonical = canonical_tag(tag)
    if canonical is None:
        return False
    language, script, region = _split(canonical)
    if resolve_language(language) not in _data_languages():
        return False
    return (script is None or _known_code(script, 0)) and (region is None or _known_code(region, 1))


def _split(canonical: str) -> tuple[str, str | None, str | None]:
    language, *rest = canonical.split("-")
    script = next((p for p in rest if len(p) == 4), None)
    region = next((p for p in rest if len(p) != 4), None)
    return language, script, region


@functools.lru_cache(maxsize=1024)
def resolve_language(language: str) -> str:
    """Map a legacy language code to the current one through CLDR's alias data.

    >>> [resolve_language(code) for code in ("in", "iw", "tl", "en")]
    ['id', 'he', 'fil', 'en']
    """
    language = language.lower()
    if language in _data_languages():
        # No language with locale data of its own is a legacy alias (a test keeps it so), so
        # the common case needs none of CLDR's global data.
        return language
    from babel.core import get_global

    aliases = t.cast("dict[str, str]", get_global("language_aliases"))
    target = aliases.get(language)
    # Some aliases map to a full locale (sh -> sr_Latn); only the language part is a language.
    if target is None:
        return language.lower()
    return target.split("_")[0]


# The CLDR script and region codes (Babel's English display names, Babel 2.19 / CLDR 46),
# written out so that checking a common tag needs no locale data at all; a code missing here is
# still looked up in Babel, and a test keeps the two equal.
_SCRIPTS = frozenset(
    [
        "Adlm",
        "Afak",
        "Aghb",
        "Ahom",
        "Arab",
        "Aran",
        "Armi",
        "Armn",
        "Avst",
        "Bali",
        "Bamu",
        "Bass",
        "Batk",
        "Beng",
        "Berf",
        "Bhks",
        "Blis",
        "Bopo",
        "Brah",
        "Brai",
        "Bugi",
        "Buhd",
        "Cakm",
        "Cans",
        "Cari",
        "Cham",
        "Cher",
        "Chrs",
        "Cirt",
        "Copt",
        "Cpmn",
        "Cprt",
        "Cyrl",
        "Cyrs",
        "Deva",
        "Diak",
        "Dogr",
        "Dsrt",
        "Dupl",
        "Egyd",
        "Egyh",
        "Egyp",
        "Elba",
        "Elym",
        "Ethi",
        "Gara",
        "Geok",
        "Geor",
        "Glag",
        "Gong",
        "Gonm",
        "Goth",
        "Gran",
        "Grek",
        "Gujr",
        "Gukh",
        "Guru",
        "Hanb",
        "Hang",
        "Hani",
        "Hano",
        "Hans",
        "Hant",
        "Hatr",
        "Hebr",
        "Hira",
        "Hluw",
        "Hmng",
        "Hmnp",
        "Hrkt",
        "Hung",
        "Inds",
        "Ital",
        "Jamo",
        "Java",
        "Jpan",
        "Jurc",
        "Kali",
        "Kana",
        "Kawi",
        "Khar",
        "Khmr",
        "Khoj",
        "Kits",
        "Knda",
        "Kore",
        "Kpel",
        "Krai",
        "Kthi",
        "Lana",
        "Laoo",
        "Latf",
        "Latg",
        "Latn",
        "Lepc",
        "Limb",
        "Lina",
        "Linb",
        "Lisu",
        "Loma",
        "Lyci",
        "Lydi",
        "Mahj",
        "Maka",
        "Mand",
        "Mani",
        "Marc",
        "Maya",
        "Medf",
        "Mend",
        "Merc",
        "Mero",
        "Mlym",
        "Modi",
        "Mong",
        "Moon",
        "Mroo",
        "Mtei",
        "Mult",
        "Mymr",
        "Nagm",
        "Nand",
        "Narb",
        "Nbat",
        "Newa",
        "Nkgb",
        "Nkoo",
        "Nshu",
        "Ogam",
        "Olck",
        "Onao",
        "Orkh",
        "Orya",
        "Osge",
        "Osma",
        "Ougr",
        "Palm",
        "Pauc",
        "Pcun",
        "Perm",
        "Phag",
        "Phli",
        "Phlp",
        "Phlv",
        "Phnx",
        "Plrd",
        "Prti",
        "Qaag",
        "Rjng",
        "Rohg",
        "Roro",
        "Runr",
        "Samr",
        "Sara",
        "Sarb",
        "Saur",
        "Seal",
        "Sgnw",
        "Shaw",
        "Shrd",
        "Sidd",
        "Sidt",
        "Sind",
        "Sinh",
        "Sogd",
        "Sogo",
        "Sora",
        "Soyo",
        "Sund",
        "Sunu",
        "Sylo",
        "Syrc",
        "Syre",
        "Syrj",
        "Syrn",
        "Tagb",
        "Takr",
        "Tale",
        "Talu",
        "Taml",
        "Tang",
        "Tavt",
        "Tayo",
        "Telu",
        "Teng",
        "Tfng",
        "Tglg",
        "Thaa",
        "Thai",
        "Tibt",
        "Tirh",
        "Tnsa",
        "Todr",
        "Tols",
        "Toto",
        "Tutg",
        "Ugar",
        "Vaii",
        "Visp",
        "Vith",
        "Wara",
        "Wcho",
        "Wole",
        "Xpeo",
        "Xsux",
        "Yezi",
        "Yiii",
        "Zanb",
        "Zinh",
        "Zmth",
        "Zsye",
        "Zsym",
        "Zxxx",
        "Zyyy",
        "Zzzz",
    ]
)
_REGIONS = frozenset(
    [
        "001",
        "002",
        "003",
        "005",
        "009",
        "011",
        "013",
        "014",
        "015",
        "017",
        "018",
        "019",
        "021",
        "029",
        "030",
        "034",
        "035",
        "039",
        "053",
        "054",
        "057",
        "061",
        "142",
        "143",
        "145",
        "150",
        "151",
        "154",
        "155",
        "202",
        "419",
        "AC",
        "AD",
        "AE",
        "AF",
        "AG",
        "AI",
        "AL",
        "AM",
        "AO",
        "AQ",
        "AR",
        "AS",
        "AT",
        "AU",
        "AW",
        "AX",
        "AZ",
        "BA",
        "BB",
        "BD",
        "BE",
        "BF",
        "BG",
        "BH",
        "BI",
        "BJ",
        "BL",
        "BM",
        "BN",
        "BO",
        "BQ",
        "BR",
        "BS",
        "BT",
        "BV",
        "BW",
        "BY",
        "BZ",
        "CA",
        "CC",
        "CD",
        "CF",
        "CG",
        "CH",
        "CI",
        "CK",
        "CL",
        "CM",
        "CN",
        "CO",
        "CP",
        "CQ",
        "CR",
        "CU",
        "CV",
        "CW",
        "CX",
        "CY",
        "CZ",
        "DE",
        "DG",
        "DJ",
        "DK",
        "DM",
        "DO",
        "DZ",
        "EA",
        "EC",
        "EE",
        "EG",
        "EH",
        "ER",
        "ES",
        "ET",
        "EU",
        "EZ",
        "FI",
        "FJ",
        "FK",
        "FM",
        "FO",
        "FR",
        "GA",
        "GB",
        "GD",
        "GE",
        "GF",
        "GG",
        "GH",
        "GI",
        "GL",
        "GM",
        "GN",
        "GP",
        "GQ",
        "GR",
        "GS",
        "GT",
        "GU",
        "GW",
        "GY",
        "HK",
        "HM",
        "HN",
        "HR",
        "HT",
        "HU",
        "IC",
        "ID",
        "IE",
        "IL",
        "IM",
        "IN",
        "IO",
        "IQ",
        "IR",
        "IS",
        "IT",
        "JE",
        "JM",
        "JO",
        "JP",
        "KE",
        "KG",
        "KH",
        "KI",
        "KM",
        "KN",
        "KP",
        "KR",
        "KW",
        "KY",
        "KZ",
        "LA",
        "LB",
        "LC",
        "LI",
        "LK",
        "LR",
        "LS",
        "LT",
        "LU",
        "LV",
        "LY",
        "MA",
        "MC",
        "MD",
        "ME",
        "MF",
        "MG",
        "MH",
        "MK",
        "ML",
        "MM",
        "MN",
        "MO",
        "MP",
        "MQ",
        "MR",
        "MS",
        "MT",
        "MU",
        "MV",
        "MW",
        "MX",
        "MY",
        "MZ",
        "NA",
        "NC",
        "NE",
        "NF",
        "NG",
        "NI",
        "NL",
        "NO",
        "NP",
        "NR",
        "NU",
        "NZ",
        "OM",
        "PA",
        "PE",
        "PF",
        "PG",
        "PH",
        "PK",
        "PL",
        "PM",
        "PN",
        "PR",
        "PS",
        "PT",
        "PW",
        "PY",
        "QA",
        "QO",
        "RE",
        "RO",
        "RS",
        "RU",
        "RW",
        "SA",
        "SB",
        "SC",
        "SD",
        "SE",
        "SG",
        "SH",
        "SI",
        "SJ",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SR",
        "SS",
        "ST",
        "SV",
        "SX",
        "SY",
        "SZ",
        "TA",
        "TC",
        "TD",
        "TF",
        "TG",
        "TH",
        "TJ",
        "TK",
        "TL",
        "TM",
        "TN",
        "TO",
        "TR",
        "TT",
        "TV",
        "TW",
        "TZ",
        "UA",
        "UG",
        "UM",
        "UN",
        "US",
        "UY",
        "UZ",
        "VA",
        "VC",
        "VE",
        "VG",
        "VI",
        "VN",
        "VU",
        "WF",
        "WS",
        "XA",
        "XB",
        "XK",
        "YE",
        "YT",
        "ZA",
        "ZM",
        "ZW",
        "ZZ",
    ]
)


@functools.cache
def _data_languages() -> frozenset[str]:
    """The languages Babel has locale data for, from its data folder's file names.

    Listing the folder costs a millisecond; importing Babel and its global data costs tens.
    """
    import importlib.util
    import os

    spec = importlib.util.find_spec("babel")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        try:
            names = os.listdir(os.path.join(folder, "locale-data"))
        except OSError:
            continue
        return frozenset(name[:-4].split("_")[0] for name in names if name.endswith(".dat"))
    from babel import localedata

    return frozenset(name.split("_")[0] for name in localedata.locale_identifiers())


@functools.cache
def _cldr_codes() -> tuple[frozenset[str], frozenset[str]]:
    from babel import Locale

    english = Locale("en")
    return frozenset(english.scripts), frozenset(english.territories)


def _known_code(code: str, kind: int) -> bool:
    """Whether a script (``kind`` 0) or region (1) code is a CLDR code."""
    if code in (_SCRIPTS, _REGIONS)[kind]:
        return True
    return code in _cldr_codes()[kind]


# A locale as (language, script, region), legacy language codes resolved and the likely script
# filled in wherever CLDR knows one, so that "zh-HK" and "zh-Hant-HK" are the same value.
_Locale = tuple[str, str | None, str | None]

# How best_match reads a tag: its comparison key; its locale if it is a known plain tag; and for
# a tag with variants, extensions or private use whose language, script and region are known,
# that leading part as spelled.
_Reading = tuple[str, _Locale | None, str | None]

# CLDR chains are at most five levels deep; the cap only guards against cyclic data.
_MAX_DEPTH = 12

# CLDR's paradigm locales, from <paradigmLocales> in common/supplemental/languageInfo.xml: the
# variants a language's other regions are judged closest to. Babel does not ship that file.
_PARADIGM_TAGS = ("en", "en-GB", "es", "es-419", "pt-BR", "pt-PT")

# CLDR's parents join nb and nn to no, the one family where a language-changing parent is
# followed both ways: a text in any of them serves the others.
_NORWEGIAN = frozenset({"nb", "nn", "no"})


@functools.cache
def _cldr() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    from babel.core import get_global

    return (
        t.cast("dict[str, str]", get_global("likely_subtags")),
        t.cast("dict[str, str]", get_global("parent_exceptions")),
        t.cast("dict[str, str]", get_global("language_aliases")),
    )


@functools.lru_cache(maxsize=1024)
def _likely(language: str, subtag: str | None) -> tuple[str | None, str | None]:
    # CLDR's lookup order: language plus the given subtag, else the language alone.
    likely = _cldr()[0]
    value = likely.get(f"{language}_{subtag}") if subtag else None
    if value is None:
        value = likely.get(language)
    if value is None:
        return None, None
    _, script, region = value.split("_")
    return script, region


# No plain tag is longer (xxx-Xxxx-XXX); longer text is read afresh, never given a cache slot.
_LONGEST_TAG = 12


def _read(tag: str) -> _Reading:
    """How best_match reads a tag; short tags, the usual case, come from a cache."""
    if len(tag) > _LONGEST_TAG:
        return _read_uncached(tag)
    return _read_short(tag)


def _read_uncached(tag: str) -> _Reading:
    hyphenated = tag.replace("_", "-")
    canonical = canonical_tag(hyphenated)
    if canonical is not None:
        key, locale = _read_plain(canonical)
        return key, locale, None
    end = _base_length(hyphenated)
    if not end:
        return _lower(hyphenated), None, None
    # The leading part of a well-formed extended tag is itself well-formed.
    key, locale = _read_plain(t.cast("str", canonical_tag(hyphenated[:end])))
    return key + _lower(hyphenated[end:]), None, None if locale is None else tag[:end]


_read_short = functools.lru_cache(maxsize=4096)(_read_uncached)


@functools.lru_cache(maxsize=4096)
def _read_plain(canonical: str) -> tuple[str, _Locale | None]:
    """The key of a canonical plain tag, and its locale if it is a known language."""
    language, script, region = _split(canonical)
    alias = _cldr()[2].get(language)
    if alias is not None:
        # An alias may carry a script or region (sh -> sr_Latn); the tag's own subtags win.
        language, *extra = alias.split("_")
        for part in extra:
            if len(part) == 4:
                script = script or part
            else:
                region = region or part
    key = "-".join(p for p in (language, script, region) if p)
    if not is_known_tag(canonical):
        return key, None
    return key, (language, script or _likely(language, region)[0], region)


def _locale_of(tag: str) -> _Locale | None:
    """The locale of a known plain tag, or of the leading part of a known extended tag."""
    _, locale, base = _read(tag)
    if base is not None:
        locale = _read(base)[1]
    return locale


@functools.lru_cache(maxsize=4096)
def _display(locale: _Locale) -> str:
    language, script, region = locale
    # The script is implied when it is the language's likely one and the region does not
    # imply another: "zh-CN", but "zh-Hans-HK" since "zh-HK" reads as Traditional.
    if (
        script is not None
        and script == _likely(language, None)[0]
        and (region is None or script == _likely(language, region)[0])
    ):
        script = None
    return "-".join(p for p in (language, script, region) if p)


def _parent(locale: _Locale) -> _Locale | None:
    parents = _cldr()[1]
    full_id = "_".join(p for p in locale if p)
    minimal_id = _display(locale).replace("-", "_")
    exception = parents.get(full_id) or parents.get(minimal_id)
    if exception is not None:
        return None if exception == "root" else _read(exception)[1]
    language, script, region = locale
    if region is not None:
        return language, script, None
    # A language level, or a script level: both fall back to root, whatever the script, so
    # "zh-Hant" never reaches "zh" and "sr-Latn" never reaches Cyrillic "sr".
    return None


@functools.lru_cache(maxsize=4096)
def _levels(locale: _Locale) -> tuple[_Locale, ...]:
    levels: list[_Locale] = []
    current: _Locale | None = locale
    while current is not None and current not in levels and len(levels) < _MAX_DEPTH:
        levels.append(current)
        current = _parent(current)
    return tuple(levels)


@functools.lru_cache(maxsize=4096)
def _served_levels(locale: _Locale) -> tuple[_Locale, ...]:
    """The levels at which a text in ``locale`` serves a request: its chain up to a change of
    language, since a language-changing parent is followed only from child to parent (a
    ``hi-Latn`` text is no English text); Norwegian parents are followed both ways."""
    levels = _levels(locale)
    for depth in range(1, len(levels)):
        before, after = levels[depth - 1][0], levels[depth][0]
        if before != after and not (before in _NORWEGIAN and after in _NORWEGIAN):
            return levels[:depth]
    return levels


@functools.lru_cache(maxsize=4096)
def _chain(locale: _Locale) -> tuple[str, ...]:
    return tuple(_display(level) for level in _levels(locale))


def fallback_chain(tag: str) -> tuple[str, ...]:
    """The CLDR fallback chain of a language tag, most specific first, without root.

    The tag is read case-insensitively, with ``_`` as ``-`` and legacy codes resolved (``in``
    to ``id``, ``iw`` to ``he``, ``tl`` to ``fil``). Each level is a BCP 47 tag that shows its
    script only where the script differs from what the language and region imply. CLDR's
    parent exceptions apply, and a non-default script never falls back to its language. A tag
    with variants, extensions or private use gives the chain of its language, script and region
    (:func:`base_tag`).

    :param tag: a language tag such as ``zh-HK``, ``es_MX`` or ``th-TH-u-ca-buddhist``.
    :returns: the chain; its first element is the tag's language, script and region in that
        form.
    :raises UnknownLanguage: for a malformed tag, one whose language, script or region CLDR
        does not know, or a value that is not a string.

    >>> fallback_chain("zh-HK")
    ('zh-Hant-HK', 'zh-Hant')
    >>> fallback_chain("es_mx")
    ('es-MX', 'es-419', 'es')
    >>> fallback_chain("th-TH-u-ca-buddhist")
    ('th-TH', 'th')
    >>> fallback_chain("en-QQ")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    msgtemplates.errors.UnknownLanguage: unknown language tag "en-QQ": ...
    """
    if is_str(tag):
        locale = _locale_of(str.__str__(tag))
        if locale is not None:
            return _chain(locale)
    raise UnknownLanguage(tag)


@functools.cache
def _paradigms() -> frozenset[_Locale]:
    return frozenset(t.cast("_Locale", _read(tag)[1]) for tag in _PARADIGM_TAGS)


def _exact(requested: str, key: str, readings: list[tuple[int, str, _Reading]]) -> int:
    """The index of the available tag equal to ``requested``, spelled alike if one is, or -1."""
    first = -1
    for index, tag, reading in readings:
        if reading[0] == key:
            if tag == requested:
                return index
            if first < 0:
                first = index
    return first


def _choose(requested: str, available: tuple[object, ...]) -> int:
    """The index in ``available`` of the best match for ``requested``, or -1."""
    readings = [
        (index, plain, _read(plain))
        for index, tag in enumerate(available)
        if is_str(tag)
        for plain in (str.__str__(tag),)
    ]
    key, wanted, base = _read(requested)
    found = _exact(requested, key, readings)
    if found < 0 and base is not None:
        # A device locale such as th-TH-u-ca-buddhist: its language, script and region decide.
        key, wanted, _ = _read(base)
        found = _exact(base, key, readings)
    if found >= 0 or wanted is None:
        return found
    candidates = [
        (index, _served_levels(locale))
        for index, _, (_, locale, _) in readings
        if locale is not None
    ]
    for level in _levels(wanted):
        matching = [(index, levels) for index, levels in candidates if level in levels]
        if not matching:
            continue
        for index, levels in matching:
            if levels[0] == level:
                return index
        language, script, region = level
        if region is None:
            likely: _Locale = (language, script, _likely(language, script)[1])
            for index, levels in matching:
                if levels[0] == likely:
                    return index
        paradigms = _paradigms()
        for index, levels in matching:
            if levels[0] in paradigms:
                return index
        return matching[0][0]
    return -1


# Warm answers, by requested tag and then by the available tags: plain dicts, emptied when
# full, cost less per call than functools.lru_cache on the pair, and best_match is called warm
# in loops (the speed target: at most 0.1x one babel.Locale.parse).
_CHOSEN: dict[str, dict[tuple[object, ...], int]] = {}
_CHOSEN_REQUESTS = 1024
_CHOSEN_PER_REQUEST = 64
# Longer text is no tag a device or catalog sends; remembering it would only hold memory.
_LONGEST_REMEMBERED = 256


def _remember(requested: str, available: tuple[object, ...]) -> int:
    """Choose as :func:`_choose` does, and keep the answer for the next such call."""
    index = _choose(requested, available)
    if len(requested) <= _LONGEST_REMEMBERED and all(
        len(tag) <= _LONGEST_REMEMBERED for tag in available if is_str(tag)
    ):
        chosen = _CHOSEN.get(requested)
        if chosen is None:
            if len(_CHOSEN) >= _CHOSEN_REQUESTS:
                _CHOSEN.clear()
            chosen = _CHOSEN.setdefault(requested, {})
        elif len(chosen) >= _CHOSEN_PER_REQUEST:
            chosen.clear()
        chosen[available] = index
    return index


def _as_tuple(available: cabc.Iterable[str]) -> tuple[str, ...]:
    iterator: cabc.Iterator[str] | None = None
    # A single string is iterable too, but as characters it is always a caller's slip.
    if not isinstance(available, str | bytes | bytearray):
        try:
            iterator = iter(available)
        except TypeError:
            iterator = None
    if iterator is None:
        raise TypeError(
            f"available must be an iterable of language tags, not {describe(available)}"
        )
    return tuple(iterator)


def best_match(
    requested: str, available: cabc.Iterable[str], /, *, default: str | None = None
) -> str | None:
    """The tag of ``available`` that best fits ``requested``, else ``default``.

    Tags are compared case-insensitively, with ``_`` as ``-`` and legacy codes resolved. An
    exact match wins, the one spelled exactly like ``requested`` among several that compare
    equal. Otherwise the first level of :func:`fallback_chain` of ``requested`` that some
    available tag also falls back to decides; a text whose chain changes language there (a
    ``hi-Latn`` text, whose parent is ``en-IN``) is not one of them, except among Norwegian
    ``nb``, ``nn`` and ``no``. Among several such tags, the one that is that level wins, then
    the one with the level's likely region (``en-US`` for ``en``), then one of CLDR's paradigm
    locales (``en``, ``en-GB``, ``es``, ``es-419``, ``pt-BR``, ``pt-PT``), then the first given.
    A requested tag with variants, extensions or private use is matched by its language, script
    and region unless it is available itself. A malformed or unknown tag matches only itself.

    :param requested: the tag wanted, e.g. a user's locale; a non-string gives ``default``.
    :param available: the tags to choose from; elements that are not strings are skipped.
    :param default: returned when nothing fits.
    :returns: an element of ``available`` exactly as given, or ``default``.
    :raises TypeError: if ``available`` is not an iterable, or is a single string or bytes
        (a common slip for a one-element list).

    >>> best_match("zh-HK", ["zh-CN", "zh-TW"])
    'zh-TW'
    >>> best_match("es-MX", ["es-ES", "es-419"])
    'es-419'
    >>> best_match("en-SG", ["en-IN", "en-GB"]), best_match("en-US", ["hi-Latn", "en-GB"])
    ('en-GB', 'en-GB')
    >>> best_match("th-TH-u-ca-buddhist", ["en-US", "th-TH"])
    'th-TH'
    >>> best_match("zh-HK", ["zh-CN", "en-US"], default="en")
    'en'
    >>> print(best_match("zh_hk", ["zh-CN"]))
    None
    """
    tags: tuple[str, ...]
    # Lists and tuples skip the checks below: best_match is called warm in loops.
    if type(available) is list or type(available) is tuple:
        tags = tuple(available)
    else:
        tags = _as_tuple(available)
    if type(requested) is not str:
        if not is_str(requested):
            return default
        requested = str.__str__(requested)
    try:
        chosen = _CHOSEN.get(requested)
        index = None if chosen is None else chosen.get(tags)
        if index is None:
            index = _remember(requested, tags)
    except Exception:
        # An element's own __hash__ or __eq__ may raise anything; the uncached path only
        # looks at strings.
        index = _choose(requested, tags)
    else:
        # A cached answer is for an equal key; an odd element equal to a string is not one.
        # (The type test first: it spares the usual exact str a call.)
        if index >= 0 and type(tags[index]) is not str and not is_str(tags[index]):
            index = _choose(requested, tags)
    if index < 0:
        return default
    return tags[index]
