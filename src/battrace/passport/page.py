"""A passport as a self-contained HTML page in Japanese or English: what the resolver shows a
browser behind the QR code (the view already filtered for the reader's role), and the
tombstone of a recycled battery. Labels come from the catalogue (English) and a small
Japanese table here; values are shown as they are stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from battrace.passport.catalogue import Section, find
from battrace.passport.lookup import PassportView

LANGUAGES = ("ja", "en")

SECTION_TITLES: Mapping[str, Mapping[str, str]] = {
    Section.GENERAL: {"en": "General information", "ja": "一般情報"},
    Section.LABELS: {"en": "Labels and conformity", "ja": "表示と適合性"},
    Section.CARBON_FOOTPRINT: {"en": "Carbon footprint", "ja": "カーボンフットプリント"},
    Section.DUE_DILIGENCE: {
        "en": "Supply-chain due diligence",
        "ja": "サプライチェーン・デューデリジェンス",
    },
    Section.MATERIALS: {"en": "Materials and composition", "ja": "材料と組成"},
    Section.CIRCULARITY: {"en": "Circularity", "ja": "循環性"},
    Section.PERFORMANCE: {"en": "Performance and durability", "ja": "性能と耐久性"},
}
WORDS: Mapping[str, Mapping[str, str]] = {
    "title": {"en": "Battery passport", "ja": "バッテリーパスポート"},
    "passport": {"en": "Passport identifier", "ja": "パスポート識別子"},
    "battery": {"en": "Battery identifier", "ja": "バッテリー識別子"},
    "category": {"en": "Category", "ja": "区分"},
    "status": {"en": "Status", "ja": "状態"},
    "responsible": {"en": "Responsible operator", "ja": "責任事業者"},
    "model": {"en": "Model", "ja": "型式"},
    "viewed": {"en": "Shown as", "ja": "閲覧区分"},
    "gone": {
        "en": "This battery was recycled; its passport has ended.",
        "ja": "このバッテリーはリサイクルされ、パスポートは終了しました。",
    },
    "ended": {"en": "Ended", "ja": "終了日"},
    "archived": {
        "en": "This passport was replaced by a successor.",
        "ja": "このパスポートは後継パスポートに置き換えられました。",
    },
    "successor": {"en": "Successor", "ja": "後継"},
    "predecessors": {"en": "Made from", "ja": "前身"},
    "provisional": {
        "en": "Provisional: the EU carbon-footprint method is not adopted yet.",
        "ja": "暫定値：EUのカーボンフットプリント算定方法は未採択です。",
    },
    "other_language": {"en": "日本語", "ja": "English"},
    "json": {"en": "JSON", "ja": "JSON"},
}
ROLE_NAMES: Mapping[str, Mapping[str, str]] = {
    "public": {"en": "public", "ja": "一般公開"},
    "legitimateInterest": {"en": "legitimate interest", "ja": "正当な利益を有する者"},
    "authority": {"en": "authority", "ja": "当局"},
    "commission": {"en": "Commission", "ja": "欧州委員会"},
    "responsibleOperator": {"en": "responsible operator", "ja": "責任事業者"},
}


def language(requested: str | None, accept_language: str = "") -> str:
    """`ja` or `en`: the one asked for, else the browser's first preference, else English."""
    if requested in LANGUAGES:
        return str(requested)
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def _shown(value: Any) -> str:  # noqa: ANN401 (any JSON value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, Mapping) and set(value) >= {"value", "measuredAt"}:
        return f"{value['value']:g} ({value['measuredAt']})"
    return json.dumps(value, ensure_ascii=False, indent=1)


def _rows(view: PassportView) -> list[dict[str, Any]]:
    sections = []
    for section in Section:
        values = view.sections.get(section.value) or {}
        rows = []
        for key, value in values.items():
            item = find(f"{section.value}.{key}")
            rows.append(
                {
                    "label": item.label if item else key,
                    "unit": (item.unit or "") if item else "",
                    "value": _shown(value),
                    "long": not isinstance(value, str | int | float | bool),
                }
            )
        if rows:
            sections.append({"key": section.value, "title": SECTION_TITLES[section], "rows": rows})
    return sections


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("battrace.passport", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )


def render_html(
    view: PassportView,
    *,
    lang: str,
    address: str,
    qr_svg: str = "",
    successor_address: str | None = None,
) -> str:
    """The passport page (the view is already filtered for its reader)."""
    words = {key: text[lang] for key, text in WORDS.items()}
    return (
        _environment()
        .get_template("passport.html.j2")
        .render(
            lang=lang,
            other=("en" if lang == "ja" else "ja"),
            words=words,
            view=view,
            role=ROLE_NAMES.get(view.role.value, {}).get(lang, view.role.value),
            sections=_rows(view),
            qr_svg=qr_svg,
            address=address,
            successor_address=successor_address,
            provisional="carbonFootprint" in view.sections,
        )
    )


__all__ = ["LANGUAGES", "language", "render_html"]
