"""A sentence a domain says to a person (an assumption behind a figure, a notice on a report):
its English text, which the APIs, CSV files and reports show as written, and a key with values
by which a surface words it in its own language (the web looks `note.<key>` up in its
catalogue, or the key itself when it names its area, like a report's `fp_file.…` words). A
value may itself be a `Note`, worded the same way; a surface that does not know the key shows
the English."""

from __future__ import annotations


class Note(str):
    """The English text (a `str`, so every reader of plain text is unchanged), with its key
    and values."""

    key: str
    values: dict[str, object]

    def __new__(cls, english: str, key: str, **values: object) -> Note:
        note = super().__new__(cls, english)
        note.key = key
        note.values = values
        return note
