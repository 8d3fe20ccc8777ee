"""The attribute catalogue against the Commission's table and the Regulation's access rules."""

from __future__ import annotations

import pytest

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import (
    AccessGroup,
    AccessPolicy,
    Category,
    Level,
    Reader,
    Section,
    attribute,
    attributes,
    filling,
    in_section,
)
from battrace.passport.guidance import Applicability, GuidanceTier, guidance
from battrace.passport.schema import VALUE_TYPES, value_type_names

TIER_GROUP = {
    GuidanceTier.PUBLIC: AccessGroup.PUBLIC,
    GuidanceTier.LEGITIMATE_INTEREST: AccessGroup.LEGITIMATE_INTEREST,
    GuidanceTier.AUTHORITIES: AccessGroup.AUTHORITIES,
}


def test_the_packaged_table_is_the_commissions_71_points() -> None:
    table = guidance()
    assert len(table.data_points) == 71
    assert table.version == "1.0"
    assert table.issued == "2026-07-28"
    assert table.columns == ("ev", "lmt", "industrial")
    assert table.data_point(17).rule("ev").status is Applicability.PENDING
    assert table.data_point(61).rule("lmt").status is Applicability.NOT_TO_BE_FILLED


def test_every_data_point_that_may_be_filled_has_an_attribute() -> None:
    table = guidance()
    never = {
        point.number
        for point in table.data_points
        if all(rule.status is Applicability.NOT_TO_BE_FILLED for rule in point.rules.values())
    }
    # 16 (composition in general) and 25 (rated capacity, again) are "not to be filled"
    assert never == {16, 25}
    covered = {number for item in attributes() for number in item.data_points}
    assert set(range(1, 72)) - covered == {16}


def test_access_groups_and_dynamics_agree_with_the_guidance() -> None:
    table = guidance()
    for item in attributes():
        for number in item.data_points:
            point = table.data_point(number)
            assert TIER_GROUP[point.tier] is item.access, (item.path, number)
            assert point.dynamic is item.dynamic, (item.path, number)


def test_annex_xiii_points_map_to_their_groups() -> None:
    assert attribute("general.manufacturer").access is AccessGroup.PUBLIC  # point 1
    assert attribute("materials.composition").access is AccessGroup.LEGITIMATE_INTEREST  # 2(a)
    assert attribute("circularity.dismantling").access is AccessGroup.LEGITIMATE_INTEREST  # 2(c)
    assert attribute("labels.testReports").access is AccessGroup.AUTHORITIES  # point 3
    soce = attribute("performance.stateOfCertifiedEnergy")  # point 4(b)
    assert (soce.access, soce.level, soce.dynamic) == (
        AccessGroup.LEGITIMATE_INTEREST,
        Level.ITEM,
        True,
    )
    assert attribute("general.status").access is AccessGroup.LEGITIMATE_INTEREST  # 4(c)


def test_paths_are_unique_and_sections_cover_the_seven_groups() -> None:
    paths = [item.path for item in attributes()]
    assert len(paths) == len(set(paths))
    assert {item.section for item in attributes()} == set(Section)
    assert all(in_section(section) for section in Section)


def test_every_value_type_is_defined_in_the_schema() -> None:
    assert value_type_names() <= set(VALUE_TYPES)
    for item in attributes():
        assert (item.value_type == "enum") == bool(item.choices), item.path


def test_applicability_per_category_follows_the_table() -> None:
    soce = attribute("performance.stateOfCertifiedEnergy")
    assert soce.categories() == (Category.EV,)
    threshold = attribute("performance.capacityThresholdForExhaustion")
    assert threshold.categories() == (Category.EV,)
    self_discharge = attribute("performance.selfDischargeRate")
    assert Category.EV not in self_discharge.categories()
    assert Category.STATIONARY in self_discharge.categories()
    # remaining capacity: point 4(a) for EVs (dp 51), 4(b) for the others (dp 62)
    assert attribute("performance.remainingCapacity").categories() == tuple(Category)


def test_stationary_and_no_bms_read_the_industrial_column() -> None:
    assert Category.STATIONARY.guidance_column == "industrial"
    assert Category.INDUSTRIAL_NO_BMS.guidance_column == "industrial"
    assert Category.LMT.guidance_column == "lmt"


def test_filling_finds_the_attributes_of_a_data_point() -> None:
    assert [item.path for item in filling(9)] == ["general.manufacturingDate"]
    assert {item.path for item in filling(7)} >= {"general.serialNumber", "general.model"}


class TestAccessPolicy:
    def test_default_follows_article_77_2(self) -> None:
        policy = AccessPolicy.default()
        assert policy.can_read(Reader.PUBLIC, "general.manufacturer")
        assert not policy.can_read(Reader.PUBLIC, "materials.composition")
        assert not policy.can_read(Reader.PUBLIC, "labels.testReports")
        assert not policy.can_read(Reader.PUBLIC, "performance.remainingCapacity")
        assert policy.can_read(Reader.LEGITIMATE_INTEREST, "performance.remainingCapacity")
        assert not policy.can_read(Reader.LEGITIMATE_INTEREST, "labels.testReports")
        assert policy.can_read(Reader.AUTHORITY, "labels.testReports")
        assert not policy.can_read(Reader.AUTHORITY, "materials.composition")
        for path in ("labels.testReports", "materials.composition", "general.status"):
            assert policy.can_read(Reader.COMMISSION, path)
            assert policy.can_read(Reader.RESPONSIBLE_OPERATOR, path)

    def test_public_reader_sees_only_point_1(self) -> None:
        readable = AccessPolicy.default().readable(Reader.PUBLIC)
        assert readable
        assert all(item.access is AccessGroup.PUBLIC for item in readable)

    def test_configuration_overrides_readers_and_attributes(self) -> None:
        policy = AccessPolicy.from_config(
            {
                "readers": {"authority": ["public", "authorities", "legitimateInterest"]},
                "attributes": {"general.status": "public"},
            }
        )
        assert policy.can_read(Reader.AUTHORITY, "materials.composition")
        assert policy.can_read(Reader.PUBLIC, "general.status")
        assert policy.group_of("general.status") is AccessGroup.PUBLIC
        assert not policy.can_read(Reader.PUBLIC, "materials.composition")

    def test_the_responsible_operator_cannot_be_configured_out(self) -> None:
        policy = AccessPolicy.from_config({"readers": {"responsibleOperator": ["public"]}})
        assert policy.can_read(Reader.RESPONSIBLE_OPERATOR, "labels.testReports")

    @pytest.mark.parametrize(
        ("config", "fragment"),
        [
            ({"readers": {"owner": ["public"]}}, "readers.owner"),
            ({"readers": {"authority": ["everything"]}}, "'everything' is not one of"),
            ({"readers": {"authority": "public"}}, "a list of access groups"),
            ({"attributes": {"general.colour": "public"}}, "no such attribute"),
            ({"attributes": {"general.status": "secret"}}, "attributes.general.status"),
            ({"readers": []}, "readers: an object"),
        ],
    )
    def test_bad_configuration_is_refused_with_its_place(
        self, config: dict[str, object], fragment: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            AccessPolicy.from_config(config)
        assert fragment in caught.value.message
