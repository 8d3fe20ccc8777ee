"""The message catalogue (battrace.web.messages): every text a page asks for by a literal key
exists, both languages of a key are written and take the same placeholders, and the area
modules never define one key twice. The pages themselves are checked for keys that show
through (a dynamic key with no entry) in test_pages.test_language_switch_and_catalogue."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest

import battrace.web
from battrace.footprint import report_words
from battrace.footprint.declaration import LifecycleStage, check_cf_values
from battrace.notes import Note
from battrace.recycling import impact
from battrace.recycling.rules import Element
from battrace.web import i18n
from battrace.web.messages import AREAS, MESSAGES, SINGULARS, join

WEB = Path(battrace.web.__file__).parent
_KEY = r"[\"']([a-z0-9_]+\.[A-Za-z0-9_.-]*[A-Za-z0-9])[\"'](?!\s*[~+])"
# t("key"), ctx.t("key"), flash="key" and the menu's NavItem("key", …): literal keys only;
# a key joined from parts ("unit." ~ value) is left to the rendered-page check.
KEY_USE = re.compile(rf"\bt\(\s*{_KEY}|flash={_KEY}|Nav(?:Item|Group)\(\s*{_KEY}")


def literal_keys() -> dict[str, str]:
    """Each literal key the web package asks for, with the first file that asks."""
    found: dict[str, str] = {}
    for path in sorted([*WEB.rglob("*.py"), *WEB.rglob("*.html")]):
        for match in KEY_USE.finditer(path.read_text(encoding="utf-8")):
            key = next(group for group in match.groups() if group)
            found.setdefault(key, str(path.relative_to(WEB)))
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_a_page_asks_for_is_in_the_catalogue() -> None:
    used = literal_keys()
    assert len(used) > 300  # the scan still finds the pages' keys
    missing = {key: where for key, where in used.items() if key not in MESSAGES}
    assert not missing


def test_both_languages_are_written_with_the_same_placeholders() -> None:
    for key, (japanese, english) in MESSAGES.items():
        assert japanese.strip() and english.strip(), key
        assert placeholders(japanese) == placeholders(english), key


def test_the_lookup_is_every_area_joined() -> None:
    assert len(MESSAGES) == sum(len(entries) for entries in AREAS.values())
    for entries in AREAS.values():
        for key, texts in entries.items():
            assert MESSAGES[key] == texts
    assert i18n.translate("en", "nav.factors") == "Emission factors"
    assert i18n.translate("ja", "nav.factors") == "排出係数"
    assert i18n.translate("en", "no.such_key") == "no.such_key"


def test_a_key_two_areas_define_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("'nav.home' is defined by common and extra")):
        join({"common": AREAS["common"], "extra": {"nav.home": ("ホーム", "Home")}})


def test_a_count_of_one_reads_singular_in_english_only() -> None:
    for key, singular in SINGULARS.items():
        assert key in MESSAGES, key
        assert placeholders(singular) == placeholders(MESSAGES[key][1]), key
    assert i18n.translate("en", "home.open_sent", count=1) == "request waiting for an answer"
    assert i18n.translate("en", "home.open_sent", count=2) == "requests waiting for an answer"
    assert i18n.translate("en", "home.open_sent", count=0) == "requests waiting for an answer"
    assert i18n.translate("ja", "home.open_sent", count=1) == "件の依頼が回答待ち"
    assert i18n.translate("en", "passport.hidden_changes", count=1) == "1 hidden change"
    assert i18n.translate("en", "passport.hidden_changes", count=3) == "3 hidden changes"
    assert i18n.translate("en", "import.failed_rows", count=1).startswith("1 row has errors")
    assert i18n.translate("en", "import.failed_rows", count=2).startswith("2 rows have errors")


def test_the_loop_assumptions_read_in_the_page_language() -> None:
    """Every note `recycling.impact` makes reads, in English, exactly as the API's text, and
    in Japanese from the catalogue, its nested source worded too."""
    storage = Note("dashboard assumption: 80 kgCO2e per kWh", "dashboard_storage", kg=80)
    second_life = impact.second_life_avoided(
        capacity_kwh=Decimal(60),
        cycles=Decimal(1000),
        new_kg_co2e_per_kwh=Decimal(80),
        new_lifetime_cycles=Decimal(4000),
        new_source=storage,
    )
    own = Note("your factors", "own_factors", elements="Co", others=impact.DEFAULT_FACTOR_SOURCE)
    material = impact.material_avoided(
        {Element.COBALT: Decimal(10), Element.LEAD: Decimal(1)},
        {Element.COBALT: (Decimal(30), Decimal(8))},
        own,
    )
    lines = [*second_life.assumptions, *material.assumptions]
    assert {line.key for line in lines} == {
        "delivered", "displaced", "new_storage", "repurposing", "material", "no_factor",
        "factors",
    }  # fmt: skip
    for line in lines:
        if line.key not in ("new_storage", "factors"):  # their sources are worded anew
            assert i18n.note("en", line) == line
        assert f"note.{line.key}" in MESSAGES
        assert placeholders(MESSAGES[f"note.{line.key}"][1]) == set(line.values), line.key
    japanese = [i18n.note("ja", line) for line in lines]
    assert japanese[0] == "セカンドライフで供給するエネルギー: 60 kWh × 1000 サイクル = 60000 kWh"
    assert "ダッシュボードの前提" in japanese[2] and "dashboard" not in japanese[2]
    assert japanese[-1].startswith("係数: Co は自社の排出係数、その他は battrace の例示用既定値")
    assert i18n.note("ja", "a plain text") == "a plain text"
    assert i18n.note("ja", Note("unknown", "no_such_note")) == "unknown"


def test_the_declaration_warning_and_the_report_counts_read_in_both_languages() -> None:
    stages = dict.fromkeys(LifecycleStage, Decimal(2))
    (warning,) = check_cf_values(stages, sum(stages.values(), Decimal(0)))
    assert i18n.note("en", warning) == warning  # the web's English is the domain's
    japanese = i18n.note("ja", warning)
    assert "容量kWhあたり" in japanese and "per kWh of capacity" not in japanese
    assert report_words.english("fp_file.years", count=1) == "1 year"
    assert report_words.english("fp_file.years", count=8) == "8 years"
    assert i18n.translate("en", "fp_file.rest", count=1).startswith("1 smaller contribution ")
    assert i18n.translate("ja", "fp_file.years", count=1) == "1 年"
