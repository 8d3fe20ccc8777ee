"""Access by role: a stranger, a customer, a person with a legitimate interest, an authority
and the responsible operator each see exactly their view, in every section."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest, NotFound
from battrace.passport import grants, lookup, readings
from battrace.passport.access import (
    PUBLIC_READER,
    SECTIONS,
    AccessGroup,
    AccessPolicy,
    Reader,
    Role,
    access_group,
    filter_document,
    reader_for,
    reads,
)
from battrace.passport.lookup import PassportView
from battrace.passport.models import Passport
from battrace.store import Database
from battrace.store.base import utcnow
from tests.passport.world import (
    AUTHORITIES_ONLY,
    INTEREST_ONLY,
    MODEL_DATA,
    World,
    issue,
    make_model,
    make_world,
)


def _paths(sections: dict[str, dict[str, object]]) -> set[str]:
    return {f"{section}.{key}" for section, values in sections.items() for key in values}


MODEL_PATHS = _paths(MODEL_DATA)  # type: ignore[arg-type]
PUBLIC_PATHS = MODEL_PATHS - set(INTEREST_ONLY) - set(AUTHORITIES_ONLY)


def _passport(database: Database) -> tuple[World, uuid.UUID]:
    world = make_world(database)
    with database.transaction() as session:
        model_id = make_model(session, world)
        world.models["ev"] = model_id
        (passport_id,) = issue(session, world, model_id, ["R1"])
        readings.record_readings(
            session,
            caller=world.pack_maker,
            readings=[
                readings.Reading(passport_id, "stateOfCharge", utcnow(), readings.Decimal("97"))
            ],
        )
    return world, passport_id


def _view(database: Database, reader: Reader, passport_id: uuid.UUID) -> PassportView:
    with database.transaction() as session:
        return lookup.view_passport(session, reader=reader, passport_id=passport_id)


def _grant(database: Database, world: World, **scope: object) -> uuid.UUID:
    with database.transaction() as session:
        made = grants.grant_access(
            session,
            caller=world.pack_maker,
            request=grants.GrantRequest(
                grantee_operator_id=world.car_maker,
                interest="owner",
                **scope,  # type: ignore[arg-type]
            ),
        )
        return made.id


def test_each_role_sees_exactly_its_view(database: Database) -> None:
    world, passport_id = _passport(database)
    public = _view(database, PUBLIC_READER, passport_id)
    customer = _view(database, Reader(world.car_maker), passport_id)
    for plain in (public, customer):
        assert plain.role == Role.PUBLIC
        assert _paths(plain.sections) & MODEL_PATHS == PUBLIC_PATHS
        assert "general.status" not in _paths(plain.sections)
        assert plain.status is None and plain.latest == {}
    _grant(database, world, passport_id=passport_id)
    interested = _view(database, Reader(world.car_maker), passport_id)
    assert interested.role == Role.LEGITIMATE_INTEREST
    assert _paths(interested.sections) & MODEL_PATHS == PUBLIC_PATHS | set(INTEREST_ONLY)
    assert interested.status is not None
    assert set(interested.latest) == {"stateOfCharge"}
    assert interested.sections["performance"]["stateOfCharge"]["value"] == 97
    authority = _view(database, world.authority, passport_id)
    assert authority.role == Role.AUTHORITY
    assert _paths(authority.sections) & MODEL_PATHS == PUBLIC_PATHS | set(AUTHORITIES_ONLY)
    responsible = _view(database, Reader(world.pack_maker), passport_id)
    assert responsible.role == Role.RESPONSIBLE_OPERATOR
    assert _paths(responsible.sections) >= MODEL_PATHS | {"general.status"}
    assert responsible.latest["stateOfCharge"].value == readings.Decimal("97")
    assert responsible.sections["general"]["batteryIdentifier"].endswith("(21)R1")


def test_the_public_never_sees_points_2_to_4(database: Database) -> None:
    world, passport_id = _passport(database)
    for reader in (PUBLIC_READER, Reader(world.stranger)):
        shown = _view(database, reader, passport_id).to_dict()
        for section, values in shown["sections"].items():
            for name in values:
                assert access_group(f"{section}.{name}") == AccessGroup.PUBLIC
        assert shown["dynamic"] == {} and shown["status"] is None


def test_a_model_grant_covers_its_passports_until_revoked_or_expired(database: Database) -> None:
    world, passport_id = _passport(database)
    grant_id = _grant(database, world, model_id=world.models["ev"])
    assert _view(database, Reader(world.car_maker), passport_id).role == Role.LEGITIMATE_INTEREST
    with database.transaction() as session:
        grants.revoke_grant(session, caller=world.pack_maker, grant_id=grant_id)
    assert _view(database, Reader(world.car_maker), passport_id).role == Role.PUBLIC
    _grant(
        database,
        world,
        passport_id=passport_id,
        valid_from=utcnow() - timedelta(days=30),
        valid_until=utcnow() - timedelta(seconds=1),
    )
    assert _view(database, Reader(world.car_maker), passport_id).role == Role.PUBLIC
    with database.transaction() as session, pytest.raises(NotFound):
        grants.revoke_grant(session, caller=world.car_maker, grant_id=grant_id)


def test_grants_are_refused_for_what_the_caller_does_not_hold(database: Database) -> None:
    world, passport_id = _passport(database)
    with database.transaction() as session:
        with pytest.raises(NotFound):
            grants.grant_access(
                session,
                caller=world.car_maker,
                request=grants.GrantRequest(world.stranger, "owner", passport_id=passport_id),
            )
        with pytest.raises(InvalidRequest, match="interest"):
            grants.grant_access(
                session,
                caller=world.pack_maker,
                request=grants.GrantRequest(world.car_maker, "neighbour", passport_id=passport_id),
            )
        with pytest.raises(InvalidRequest, match="exactly one"):
            grants.grant_access(
                session,
                caller=world.pack_maker,
                request=grants.GrantRequest(world.car_maker, "owner"),
            )


def test_an_authority_account_reads_as_an_authority(database: Database) -> None:
    world, _passport_id = _passport(database)
    with database.transaction() as session:
        reader = reader_for(session, operator_id=world.agency, account_id=world.agency_account)
        assert reader.authority
        assert not reader_for(
            session, operator_id=world.car_maker, account_id=uuid.uuid4()
        ).authority


def test_the_policy_is_configurable(database: Database) -> None:
    world, passport_id = _passport(database)
    _grant(database, world, passport_id=passport_id)
    strict = AccessPolicy.from_config({"readers": {"legitimateInterest": ["public"]}})
    with database.transaction() as session:
        shown = lookup.view_passport(
            session, reader=Reader(world.car_maker), passport_id=passport_id, policy=strict
        )
    assert shown.role == Role.LEGITIMATE_INTEREST
    assert _paths(shown.sections) & MODEL_PATHS == PUBLIC_PATHS
    assert shown.latest == {}
    with database.transaction() as session:
        narrow = grants.role_of(
            session,
            Reader(world.car_maker),
            session.get(Passport, passport_id),  # type: ignore[arg-type]
            interests=frozenset({"recycler"}),
        )
    assert narrow == Role.PUBLIC


_VALUES = st.dictionaries(
    st.sampled_from(["weight", "composition", "testReports", "safetyMeasures", "unknownKey"]),
    st.integers(),
)


@given(st.dictionaries(st.sampled_from(SECTIONS), _VALUES), st.sampled_from(list(Role)))
def test_a_filtered_document_holds_only_readable_attributes(
    document: dict[str, dict[str, int]], role: Role
) -> None:
    shown = filter_document(document, role)
    for section, values in document.items():
        for name, value in values.items():
            readable = reads(role, access_group(f"{section}.{name}"))
            assert (shown.get(section, {}).get(name) == value) == readable
