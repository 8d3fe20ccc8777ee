"""Page text in Japanese (the default) and English: `translate(lang, key, **values)` looks a
key up in `battrace.web.messages` and fills `{name}` placeholders. Every word a page shows
comes from there; the language is a cookie the header's switch sets."""

from __future__ import annotations

from battrace.web.messages import MESSAGES

LANGUAGES = ("ja", "en")
DEFAULT = "ja"


def translate(lang: str, key: str, **values: object) -> str:
    texts = MESSAGES.get(key)
    if texts is None:
        return key  # a missing key shows itself (tests/web check none is missing)
    text = texts[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return text.format(**values) if values else text
