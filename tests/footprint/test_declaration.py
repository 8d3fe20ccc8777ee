"""Hand-computed EU battery declarations (battrace.footprint.declaration)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest
from battrace.footprint import roll_up
from battrace.footprint.declaration import (
    FULL_EQUIVALENT_CYCLES_PER_YEAR,
    METHOD_NOTE,
    LifecycleStage,
    VehicleCategory,
    check_cf_values,
    declare,
)
from battrace.footprint.graph import FootprintGraph
from battrace.footprint.plan import UnknownReason
from battrace.footprint.result import Footprint
from tests.footprint.batteries import battery, per_battery
from tests.footprint.builders import bought, dec, edge, graph, own, parent, tid

RAW, MAIN = LifecycleStage.RAW_MATERIAL, LifecycleStage.MAIN_PRODUCTION
DIST, EOL = LifecycleStage.DISTRIBUTION, LifecycleStage.END_OF_LIFE


def battery_graph(
    pre: object = 4000, main: object = 1000, *, answered: bool = True
) -> FootprintGraph:
    """A pack (own 320 / 440 per battery) of one module answered with `pre` / `main`: with the
    defaults 4,320 + 1,440 kgCO2e per battery."""
    return graph(
        per_battery(parent(tid(0), "Pack 60 kWh", own(320, 440), edge(tid(1), 1))),
        bought(tid(1), "Module", pre=pre, main=main, answered=answered),
    )


def footprint(**kwargs: object) -> Footprint:
    return roll_up(battery_graph(**kwargs), tid(0))  # type: ignore[arg-type]


def test_hand_computed_declaration() -> None:
    result = declare(footprint(), battery())
    # E_total = 60 kWh x 60 cycles/yr x 8 yr = 28,800 kWh
    assert result.total_energy_kwh == 28_800
    assert result.cycles_per_year == 60
    # 4,320 / 28,800 = 0.15; 1,440 / 28,800 = 0.05; 57.6 / 28,800 = 0.002; 28.8 / 28,800 = 0.001
    assert [(s.stage, s.kg_co2e_per_battery, s.kg_co2e_per_kwh) for s in result.stages] == [
        (RAW, 4320, dec("0.15")),
        (MAIN, 1440, dec("0.05")),
        (DIST, dec("57.6"), dec("0.002")),
        (EOL, dec("28.8"), dec("0.001")),
    ]
    assert result.kg_co2e_per_kwh == dec("0.203")
    assert result.kg_co2e_per_battery == dec("5846.4")
    assert result.complete
    assert result.warnings == ()
    assert result.unknown_parts == ()
    assert result.missing_inputs == ()
    assert result.provisional is True
    assert result.method_note == METHOD_NOTE
    assert "draft" in result.method_note


def test_results_are_rounded_up_to_5_decimals_at_the_edge() -> None:
    # 1,000 / 28,800 = 0.0347222...; 4,000 / 28,800 = 0.138888...
    result = declare(
        footprint(pre=680, main=560),
        battery(distribution_kg_co2e=dec(0), end_of_life_kg_co2e=dec(0)),
    )
    assert result.stage(RAW).kg_co2e_per_kwh == dec("0.03473")
    assert result.stage(MAIN).kg_co2e_per_kwh == dec("0.03473")
    assert result.kg_co2e_per_kwh == dec("0.06945")  # 2,000 / 28,800 = 0.069444...


@pytest.mark.parametrize(
    ("category", "cycles"),
    [
        (VehicleCategory.M1, 60),
        (VehicleCategory.N1, 60),
        (VehicleCategory.L, 20),
        (VehicleCategory.M2, 250),
        (VehicleCategory.M3, 250),
        (VehicleCategory.N2, 250),
        (VehicleCategory.N3, 250),
    ],
)
def test_category_table(category: VehicleCategory, cycles: int) -> None:
    assert FULL_EQUIVALENT_CYCLES_PER_YEAR[category] == cycles
    result = declare(footprint(), battery(vehicle_category=category))
    assert result.cycles_per_year == cycles
    assert result.total_energy_kwh == 60 * cycles * 8


def test_other_category_takes_the_operators_cycles_and_justification() -> None:
    result = declare(
        footprint(),
        battery(
            vehicle_category=VehicleCategory.OTHER,
            cycles_per_year=dec(100),
            cycles_justification="Airport tractor, two shifts a day (study section 3.2)",
        ),
    )
    assert result.total_energy_kwh == 60 * 100 * 8
    assert result.cycles_justification is not None


@pytest.mark.parametrize(
    "changes",
    [
        {"vehicle_category": VehicleCategory.OTHER},
        {"vehicle_category": VehicleCategory.OTHER, "cycles_per_year": dec(100)},
        {
            "vehicle_category": VehicleCategory.OTHER,
            "cycles_per_year": dec(100),
            "cycles_justification": "  ",
        },
        {
            "vehicle_category": VehicleCategory.OTHER,
            "cycles_per_year": dec(0),
            "cycles_justification": "why",
        },
        {"cycles_per_year": dec(100)},  # fixed by the method for M1
    ],
)
def test_cycles_are_refused_unless_other_and_justified(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest, match="cycles"):
        declare(footprint(), battery(**changes))


def test_a_footprint_not_per_battery_is_refused() -> None:
    per_kilogram = graph(
        parent(tid(0), "Pack", own(320, 440), edge(tid(1), 1)),
        bought(tid(1), "Module", pre=4000, main=1000),
    )
    with pytest.raises(InvalidRequest, match=r"kgCO2e/kilogram.*kgCO2e/unit"):
        declare(roll_up(per_kilogram, tid(0)), battery())


def test_an_unknown_stage_gives_no_number() -> None:
    result = declare(footprint(answered=False), battery())
    assert not result.complete
    assert result.kg_co2e_per_kwh is None
    assert result.kg_co2e_per_battery is None
    assert result.stage(RAW).kg_co2e_per_kwh is None
    assert result.stage(MAIN).kg_co2e_per_kwh is None
    assert result.stage(DIST).kg_co2e_per_kwh == dec("0.002")  # what is known stays known
    assert [(p.parts_name, p.reason) for p in result.unknown_parts] == [
        ("Module", UnknownReason.NOT_ANSWERED)
    ]
    assert result.warnings == ()


def test_one_unknown_stage_only_blanks_that_stage_and_the_total() -> None:
    result = declare(footprint(main=None), battery())
    assert result.stage(RAW).kg_co2e_per_kwh == dec("0.15")
    assert result.stage(MAIN).kg_co2e_per_kwh is None
    assert result.kg_co2e_per_kwh is None


def test_operator_values_not_entered_yet_are_listed_as_missing() -> None:
    result = declare(footprint(), battery(end_of_life_kg_co2e=None))
    assert not result.complete
    assert result.missing_inputs == (EOL,)
    assert result.stage(EOL).kg_co2e_per_battery is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"distribution_kg_co2e": dec(-1)}, "Distribution"),
        ({"end_of_life_kg_co2e": dec("-0.1")}, "End of life"),
        ({"usable_energy_kwh": dec(0)}, "usableEnergyKwh"),
        ({"usable_energy_kwh": dec(-60)}, "usableEnergyKwh"),
        ({"warranty_years": dec(0)}, "warrantyYears"),
        ({"warranty_years": Decimal("NaN")}, "warrantyYears"),
        ({"distribution_kg_co2e": Decimal("Infinity")}, "Distribution"),
    ],
)
def test_negative_and_impossible_values_are_refused(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        declare(footprint(), battery(**changes))


def test_a_negative_footprint_stage_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="Raw material"):
        declare(footprint(pre=-1000), battery())


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "ftp://example.com/study.pdf",
        "example.com/study.pdf",
        "https://",
        " https://example.com/study.pdf",
        "file:///etc/passwd",
    ],
)
def test_a_study_link_must_be_http_or_https(link: str) -> None:
    with pytest.raises(InvalidRequest, match="studyLink"):
        declare(footprint(), battery(study_link=link))


def test_no_study_link_is_allowed() -> None:
    assert declare(footprint(), battery(study_link=None)).study_link is None
    assert declare(footprint(), battery(study_link="http://x.example")).complete


def test_per_kwh_of_capacity_confusion_is_warned() -> None:
    # 65 kgCO2e per kWh of capacity x 60 kWh = 3,900 kgCO2e, but declared over a 1-year,
    # 1-kWh battery: far above 5 kgCO2e per kWh delivered.
    result = declare(
        footprint(pre=3000, main=100),
        battery(usable_energy_kwh=dec(1), warranty_years=dec(1)),
    )
    assert result.kg_co2e_per_kwh is not None
    assert result.kg_co2e_per_kwh > 5
    assert len(result.warnings) == 1
    assert "per kWh of capacity" in result.warnings[0]


def test_check_cf_values_refuses_stages_that_do_not_add_up() -> None:
    stages = {RAW: dec("0.15"), MAIN: dec("0.05"), DIST: dec("0.002"), EOL: dec("0.001")}
    assert check_cf_values(stages, dec("0.203")) == ()
    assert check_cf_values(stages, dec("0.2031")) == ()  # within 1 %
    with pytest.raises(InvalidRequest, match="add up"):
        check_cf_values(stages, dec("0.25"))
    with pytest.raises(InvalidRequest, match="0 or more"):
        check_cf_values({**stages, EOL: dec("-0.001")}, dec("0.201"))
    assert check_cf_values({RAW: dec(60), MAIN: dec(5)}, dec(65))  # warns


@given(
    pre=st.decimals(min_value=0, max_value=10**6, places=5),
    main=st.decimals(min_value=0, max_value=10**6, places=5),
    distribution=st.decimals(min_value=0, max_value=10**4, places=5),
    end_of_life=st.decimals(min_value=0, max_value=10**4, places=5),
    kwh=st.decimals(min_value=1, max_value=1000, places=2),
    years=st.integers(min_value=1, max_value=20),
)
def test_declared_stages_add_up_to_the_declared_total(
    pre: Decimal,
    main: Decimal,
    distribution: Decimal,
    end_of_life: Decimal,
    kwh: Decimal,
    years: int,
) -> None:
    result = declare(
        footprint(pre=pre, main=main),
        battery(
            usable_energy_kwh=kwh,
            warranty_years=Decimal(years),
            distribution_kg_co2e=distribution,
            end_of_life_kg_co2e=end_of_life,
        ),
    )
    assert result.kg_co2e_per_kwh is not None
    stages = sum(s.kg_co2e_per_kwh or 0 for s in result.stages)
    # each of five values is rounded up by less than 0.00001
    assert abs(stages - result.kg_co2e_per_kwh) < dec("0.00005")
    exact = (320 + 440 + pre + main + distribution + end_of_life) / (kwh * 60 * years)
    assert Decimal(0) <= result.kg_co2e_per_kwh - exact < dec("0.00001")
