"""Page text in Japanese (the default) and English: `translate(lang, key, **values)` looks a
key up in `battrace.web.messages` and fills `{name}` placeholders; a `count` of 1 picks the
English singular where the catalogue has one. Every word a page shows
comes from there; the language is a cookie the header's switch sets."""

from __future__ import annotations

import re

from battrace.notes import Note
from battrace.web.messages import MESSAGES, SINGULARS

LANGUAGES = ("ja", "en")
DEFAULT = "ja"


def translate(lang: str, key: str, **values: object) -> str:
    texts = MESSAGES.get(key)
    if texts is None:
        return key  # a missing key shows itself (tests/web check none is missing)
    text = texts[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    if lang == "en" and values.get("count") == 1 and key in SINGULARS:
        text = SINGULARS[key]  # English's one plural rule; Japanese has none
    return text.format(**values) if values else text


def note(lang: str, line: object) -> str:
    """A domain's sentence in `lang`: a `Note` is worded by the catalogue's `note.<key>` (or
    its key itself when it names its area, `fp_file.…`; its
    values worded alike, a value may be a note too); anything else, or a note whose key the
    catalogue lacks, is shown as written (English)."""
    if not isinstance(line, Note):
        return str(line)
    key = line.key if "." in line.key else f"note.{line.key}"
    if key not in MESSAGES:
        return str(line)
    return translate(lang, key, **{name: note(lang, value) for name, value in line.values.items()})


# The fixed wording of field problems (the contract's validators, the domain's rules and the
# form readers) -> a catalogue key and the placeholders the pattern captures. A page shows a
# problem in its language through `message`; a message no pattern knows is shown as written.
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"(?:\S+: )?cannot be blank\.?", "problem.blank"),
        (r"(?:\S+: )?must be a number\.?", "problem.number"),
        (r"(?:\S+: )?must be no less than (?P<n>\S+?)\.?", "problem.min"),
        (r"(?:\S+: )?must be no greater than (?P<n>\S+?)\.?", "problem.max"),
        (r"(?:\S+: )?must be no more than (?P<n>\S+?)\.?", "problem.max"),
        (r"(?:\S+: )?must be greater than (?P<n>\S+?)\.?", "problem.above"),
        (r"(?:\S+: )?must have at most (?P<n>\d+) decimal places\.?", "problem.places"),
        (r"(?:\S+: )?must be a value up to the 5th decimal place\.?", "problem.places5"),
        (r"(?:\S+: )?cannot be allowed '(?P<value>.*)'\.?", "problem.not_allowed"),
        (r"(?:\S+: )?the length must be no more than (?P<n>\d+)\.?", "problem.length_max"),
        (r"(?:\S+: )?the length must be between (?P<low>\d+) and (?P<n>\d+)\.?", "problem.length"),
        (r"(?:\S+: )?must be a valid date\.?", "problem.date"),
        (r"(?:\S+: )?must be a valid email address\.?", "problem.email"),
        (r"(?:\S+: )?must be blank\.?", "problem.must_blank"),
        (r"(?:\S+: )?must be in the future\.?", "problem.future"),
        (r"(?:\S+: )?must not be in the past\.?", "problem.future"),
        (r"extension: (?P<value>.*) is not an allowed file type\.?", "problem.file_type"),
        (r"(?:\S+: )?must be a valid UUID\.?", "problem.uuid"),
        (r"(?:\S+: )?must be (?:a number )?from (?P<low>\S+) to (?P<n>\S+?)\.?", "problem.range"),
        (r"(?:\S+: )?must be an integer from (?P<low>\d+) to (?P<n>\d+)\.?", "problem.integer"),
        (r"(?:\S+: )?must be (?P<low>\d+) to (?P<n>\d+) characters\.?", "problem.length"),
        (r"(?:\S+: )?must be CID and 6 digits\.?", "problem.cid"),
        (
            r"(?:\S+: )?must be (?:one of )?(?P<value>[\w-]+(?:, [\w-]+)* or [\w-]+)\.?",
            "problem.one_of",
        ),
        (
            r"(?:\S+: )?must be (?P<value>kgCO2e/\S+) \(the customer's unit\)\.?",
            "problem.customer_unit",
        ),
        (
            r"(?:\S+: )?its CFP is declared in kgCO2e/(?P<unit_declared>\S+) but the customer"
            r" counts the part in (?P<unit_counted>\S+?)\.?",
            "problem.link_unit",
        ),
        (r"invalid", "problem.invalid"),
    )
)


def message(lang: str, text: str) -> str:
    """A problem's fixed English wording in the page language (unknown wording as written)."""
    stripped = text.strip()
    for pattern, key in _PROBLEMS:
        found = pattern.fullmatch(stripped)
        if found is not None:
            values = found.groupdict()
            if key == "problem.one_of":
                values["value"] = values["value"].replace(" or ", ", ")
            for name in [name for name in values if name.startswith("unit_")]:
                values[name] = translate(lang, f"unit.{values[name]}")
            return translate(lang, key, **values)
    return stripped
