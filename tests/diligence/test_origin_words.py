"""Who raised a DD finding, kept in parts (name, withheld, via) so that a surface words it in
its language; the API's English wording is built from the same parts."""

from __future__ import annotations

from battrace.diligence import report
from battrace.diligence.risk import Origin


def test_origin_passed_down_the_chain() -> None:
    at_cell_maker = Origin("Material maker")
    released = at_cell_maker.passed_through("Cell maker", released=True)
    assert released.english == "Material maker (via Cell maker)"
    withheld = at_cell_maker.passed_through("Cell maker", released=False)
    assert withheld == Origin("Cell maker", hidden=True)
    assert withheld.english == "upstream of Cell maker"
    deeper = withheld.passed_through("Pack maker", released=True)
    assert deeper.english == "upstream of Cell maker (via Pack maker)"


def test_english_words_of_the_file() -> None:
    assert report.english("dd_reason.answered_unknown", code="MAT.CAHRA") == (
        "MAT.CAHRA answered unknown"
    )
    assert report.english("material.cobalt") == "cobalt"  # a material is named by its code
    assert report.english("dd_file.red_flags", count=2) == "Open red flags (2)"
