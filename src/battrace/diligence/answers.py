"""A due-diligence answer as a response stores it (`DdResponse.answers`, JSON): the question's
code, the material it is about (None: company-wide), the value, a comment and the evidence
documents it cites. Checked and written by `answering`, read by the risk assessment, the
roll-up and the workbooks.
"""

from __future__ import annotations

from typing import TypedDict

# yes / no / a choice / a date / text / "unknown" as text, a percentage as a number, or None
AnswerValue = str | int | float | None


class StoredAnswer(TypedDict):
    code: str
    material: str | None
    value: AnswerValue
    comment: str | None
    evidence: list[str]  # evidence ids, as text
