"""The web application's message catalogue: key -> (Japanese, English), the one table
`battrace.web.i18n` looks every page text up in.

The entries live in one module per area (`messages_common`, `messages_parts`,
`messages_trades`, `messages_footprint`, `messages_dd`); this module joins them. Placeholders
are `{name}`; both texts of a key take the same ones. A text shown beside a count may have an
English singular (`SINGULARS`), used when the page passes `count=1`. A key may be defined by
one area only: joining refuses a key two areas define, so no area silently replaces another's
text.
"""

from __future__ import annotations

from collections.abc import Mapping

from battrace.footprint import report_words
from battrace.web.messages_common import COMMON_MESSAGES, ENGLISH_SINGULARS
from battrace.web.messages_dd import DD_MESSAGES
from battrace.web.messages_footprint import FOOTPRINT_MESSAGES
from battrace.web.messages_pact import PACT_MESSAGES
from battrace.web.messages_parts import PARTS_MESSAGES
from battrace.web.messages_passport import PASSPORT_MESSAGES
from battrace.web.messages_recycling import RECYCLING_MESSAGES
from battrace.web.messages_reports import REPORT_MESSAGES
from battrace.web.messages_reuse import REUSE_MESSAGES
from battrace.web.messages_trades import TRADES_MESSAGES

Catalogue = Mapping[str, tuple[str, str]]

AREAS: Mapping[str, Catalogue] = {
    "common": COMMON_MESSAGES,
    "parts": PARTS_MESSAGES,
    "trades": TRADES_MESSAGES,
    "footprint": FOOTPRINT_MESSAGES,
    "dd": DD_MESSAGES,
    "pact": PACT_MESSAGES,
    "passport": PASSPORT_MESSAGES,
    "recycling": RECYCLING_MESSAGES,
    "reuse": REUSE_MESSAGES,
    "reports": REPORT_MESSAGES,
}


def join(areas: Mapping[str, Catalogue]) -> dict[str, tuple[str, str]]:
    """One catalogue from the areas'; raises ValueError naming a key two areas define."""
    joined: dict[str, tuple[str, str]] = {}
    owner: dict[str, str] = {}
    for area, entries in areas.items():
        for key, texts in entries.items():
            if key in owner:
                raise ValueError(f"message key {key!r} is defined by {owner[key]} and {area}")
            owner[key] = area
            joined[key] = texts
    return joined


MESSAGES: dict[str, tuple[str, str]] = join(AREAS)
# key -> the English text for a count of 1 (`i18n.translate(…, count=1)`)
SINGULARS: Mapping[str, str] = ENGLISH_SINGULARS | report_words.ENGLISH_SINGULARS
