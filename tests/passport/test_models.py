"""Battery models: data validated by the catalogue's rules, filled from the platform with its
provenance, recycled content set per element."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from battrace.errors import InvalidRequest, NotFound, ValidationFailed
from battrace.identity.models import Operator
from battrace.passport import battery_models, issuing, lookup
from battrace.passport.access import Reader
from battrace.passport.models import BatteryCategory, BatteryModel
from battrace.store import Database
from battrace.traceability.models import AmountUnit, CfpType, CfpValue, Part
from tests.footprint.batteries import battery
from tests.passport.world import World, issue, make_model, make_world


def _product(database: Database, world: World) -> uuid.UUID:
    """A pack of the pack maker's with its own CFP values (per battery)."""
    trace_id = uuid.uuid4()
    with database.transaction() as session:
        operator = session.get(Operator, world.pack_maker)
        assert operator is not None
        operator.address = "1-2-3 Minato Mirai, 220-0012 Yokohama, JP"
        session.add(
            Part(
                operator_id=world.pack_maker,
                trace_id=trace_id,
                plant_id=world.plant,
                parts_name="Pack 80",
                terminated_flag=True,
                amount_required_unit=AmountUnit.UNIT,
                is_parent=False,
            )
        )
        session.flush()
        cfp_id = uuid.uuid4()
        for cfp_type, value in (
            (CfpType.PRE_PRODUCTION, "3000"),
            (CfpType.PRE_COMPONENT, "0"),
            (CfpType.MAIN_PRODUCTION, "1200"),
            (CfpType.MAIN_COMPONENT, "0"),
        ):
            session.add(
                CfpValue(
                    operator_id=world.pack_maker,
                    trace_id=trace_id,
                    cfp_type=cfp_type,
                    cfp_id=cfp_id,
                    ghg_emission=Decimal(value),
                    ghg_declared_unit="kgCO2e/unit",
                    dqr_type="preProcessing",
                    ter=Decimal(1),
                    ger=Decimal(2),
                    tir=Decimal(3),
                )
            )
    return trace_id


def test_a_model_takes_manufacturer_cfp_and_dd_from_the_platform(database: Database) -> None:
    world = make_world(database)
    trace_id = _product(database, world)
    with database.transaction() as session:
        model = battery_models.create_model(
            session,
            caller=world.pack_maker,
            name="Pack 80",
            category=BatteryCategory.EV,
            trace_id=trace_id,
        )
        model_id = model.id
        battery_models.fill_from_platform(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            battery=battery(),
            disclose_by_default=True,
        )
    with database.transaction() as session:
        model = session.get(BatteryModel, model_id)
        assert model is not None
        general = model.data["general"]
        assert general["manufacturer"]["name"] == "Pack maker"
        assert general["manufacturer"]["address"]["city"] == "Yokohama"
        footprint = model.data["carbonFootprint"]
        assert footprint["provisional"] is True
        assert footprint["source"]["origin"].startswith("battrace CFP declaration")
        assert {stage["stage"] for stage in footprint["stages"]} >= {
            "rawMaterialExtraction",
            "mainProduction",
        }
        assert footprint["carbonFootprint"] > 0
        assert "Pack 80" in model.data["dueDiligence"]["summary"]
        assert set(model.provenance) == {"general", "carbonFootprint", "dueDiligence"}
        assert model.version == 2


def test_a_model_of_someone_elses_product_is_refused(database: Database) -> None:
    world = make_world(database)
    trace_id = _product(database, world)
    with database.transaction() as session, pytest.raises(NotFound):
        battery_models.create_model(
            session,
            caller=world.car_maker,
            name="Copy",
            category=BatteryCategory.EV,
            trace_id=trace_id,
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"general": {"colour": "red"}}, "general.colour: no such attribute"),
        ({"nowhere": {"weight": 1}}, "unknown section"),
        ({"general": {"status": "waste"}}, "set by the passport itself"),
        ({"performance": {"stateOfCharge": 50}}, "send it as a reading"),
    ],
)
def test_data_outside_the_catalogue_is_refused(
    database: Database, data: dict[str, object], message: str
) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        with pytest.raises(InvalidRequest, match=message):
            battery_models.update_model(
                session, caller=world.pack_maker, model_id=model_id, data=data
            )


def test_cross_field_rules_refuse_a_change_and_keep_the_old_data(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        (passport_id,) = issue(session, world, model_id, ["V1"])
    with database.transaction() as session, pytest.raises(ValidationFailed) as refused:
        battery_models.update_model(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            data={"performance": {"minimumVoltage": 500}},
        )
    assert "performance.minimumVoltage" in refused.value.message
    with database.transaction() as session, pytest.raises(ValidationFailed) as bad_date:
        issuing.update_passport(
            session,
            caller=world.pack_maker,
            passport_id=passport_id,
            data={"general": {"manufacturingDate": "2026-13"}},
        )
    assert "general.manufacturingDate" in bad_date.value.message
    with database.transaction() as session:
        view = lookup.view_passport(
            session, reader=Reader(world.pack_maker), passport_id=passport_id
        )
        assert view.sections["performance"]["minimumVoltage"] == 300
        assert "manufacturingDate" not in view.sections["general"]


def test_recycled_content_is_set_per_element(database: Database) -> None:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        battery_models.set_recycled_content(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            shares={"cobalt": Decimal("16"), "lithium": Decimal("6.5")},
            source="recycler report R-1",
        )
        model = battery_models.set_recycled_content(
            session,
            caller=world.pack_maker,
            model_id=model_id,
            shares={"cobalt": Decimal("18")},
            source="recycler report R-2",
        )
        assert model.data["circularity"]["recycledContent"] == [
            {"material": "cobalt", "share": 18},
            {"material": "lithium", "share": 6.5},
        ]
        assert model.provenance["circularity"]["origin"] == "recycler report R-2"
        for shares in ({"iron": Decimal(1)}, {"nickel": Decimal(101)}, {}):
            with pytest.raises(InvalidRequest):
                battery_models.set_recycled_content(
                    session,
                    caller=world.pack_maker,
                    model_id=model_id,
                    shares=shares,
                    source="x",
                )
        with pytest.raises(NotFound):
            battery_models.set_recycled_content(
                session,
                caller=world.recycler,
                model_id=model_id,
                shares={"lead": Decimal(85)},
                source="x",
            )
