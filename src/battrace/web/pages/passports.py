"""Battery passport pages: the operator's passports (search by serial, model and status, with
the completeness dashboard), one passport as each role sees it, its history with the hash
chain checked, its completeness, and the lifecycle and access actions of the responsible
operator."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace import errors
from battrace.identity import operators
from battrace.inputs import fields
from battrace.passport import battery_models, checks, grants, issuing, lifecycle, lookup
from battrace.passport.access import DEFAULT_INTERESTS, Reader, Role, policy_from_json
from battrace.passport.catalogue import Reader as RoleName
from battrace.passport.history import verify_chain
from battrace.passport.issuing import NewBattery
from battrace.passport.models import BatteryCategory, BatteryStatus, Publication
from battrace.web.app import Ctx, page

ROLES = (
    RoleName.RESPONSIBLE_OPERATOR,
    RoleName.AUTHORITY,
    RoleName.LEGITIMATE_INTEREST,
    RoleName.PUBLIC,
)
SUCCESSOR_STATUSES = ("repurposed", "re-used", "remanufactured")


def _enum_or_none(kind: type[BatteryStatus] | type[Publication], text: str) -> Any:  # noqa: ANN401
    try:
        return kind(text) if text else None
    except ValueError:
        raise errors.InvalidRequest(f"{text}: not a known value.") from None


@page("/passports")
def passport_list(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    model_text = ctx.value("model")
    search = lookup.PassportSearch(
        serial=ctx.value("serial") or None,
        model_id=fields.optional_uuid(model_text, "modelId"),
        status=_enum_or_none(BatteryStatus, ctx.value("status")),
        limit=200,
    )

    def read(session: Session) -> tuple[Any, Any, Any]:
        found = lookup.search_passports(session, caller=caller, search=search)
        models = battery_models.list_models(session, caller=caller)
        return found, models, checks.operator_dashboard(session, caller=caller, limit=500)

    found, models, board = ctx.state.read(read)
    return ctx.render(
        "passports.html",
        passports=found,
        models=models,
        model_names={model.id: model.name for model in models},
        statuses=[status.value for status in BatteryStatus],
        board=board,
        query={"serial": search.serial or "", "model": model_text, "status": ctx.value("status")},
    )


def _passport_id(ctx: Ctx) -> uuid.UUID:
    passport_id: uuid.UUID = ctx.request.path_params["passport_id"]
    return passport_id


@page("/passports/{passport_id:uuid}")
def passport_page(ctx: Ctx) -> Response:
    caller = ctx.operator_id
    passport_id = _passport_id(ctx)
    wanted = ctx.value("as")
    policy = policy_from_json(ctx.state.settings.passport_access_policy)

    def read(session: Session) -> dict[str, Any]:
        own = lookup.view_for_login(
            session,
            operator_id=caller,
            account_id=ctx.session.account_id,
            passport_id=passport_id,
            policy=policy,
        )
        responsible = own.role == Role.RESPONSIBLE_OPERATOR
        shown = own
        if responsible and wanted in {role.value for role in ROLES}:
            shown = lookup.preview(
                session,
                caller=caller,
                passport_id=passport_id,
                role=RoleName(wanted),
                policy=policy,
            )
        versions = lookup.passport_history(
            session,
            reader=Reader(operator_id=caller, authority=own.role == Role.AUTHORITY),
            passport_id=passport_id,
            policy=policy,
        )
        found: dict[str, Any] = {
            "own": own,
            "view": shown,
            "responsible": responsible,
            "versions": versions,
        }
        if responsible:
            found["completeness"] = checks.passport_completeness(
                session, caller=caller, passport_id=passport_id
            )
            found["grants"] = [
                grant
                for grant in grants.list_grants(session, caller=caller)
                if grant.passport_id == passport_id
                or (own.model_id is not None and grant.model_id == own.model_id)
            ]
        return found

    found = ctx.state.read(read)
    history = [version.to_dict() for version in found["versions"]]
    return ctx.render(
        "passport.html",
        view=found["view"],
        own=found["own"],
        responsible=found["responsible"],
        roles=[role.value for role in ROLES],
        history=history,
        chain_problems=verify_chain(history),
        completeness=found.get("completeness"),
        grants=found.get("grants", []),
        interests=sorted(DEFAULT_INTERESTS),
        successor_statuses=SUCCESSOR_STATUSES,
        categories=[category.value for category in BatteryCategory],
    )


def _operator_by_number(ctx: Ctx, number: str) -> uuid.UUID:
    if not number:
        raise errors.InvalidRequest(ctx.t("passport.new_operator"))
    return ctx.state.read(lambda s: operators.find_by_open_id(s, number).id)


@page("/passports/{passport_id:uuid}/publish", methods=("POST",))
def passport_publish(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    ctx.state.write(
        lambda s: issuing.publish(s, caller=ctx.operator_id, passport_ids=[passport_id])
    )
    return ctx.redirect(f"/passports/{passport_id}", flash="passport.published")


@page("/passports/{passport_id:uuid}/waste", methods=("POST",))
def passport_waste(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    new_operator = _operator_by_number(ctx, ctx.value("newOperator"))
    ctx.state.write(
        lambda s: lifecycle.mark_waste(
            s,
            caller=ctx.operator_id,
            account=ctx.session.account_id,
            passport_id=passport_id,
            new_operator_id=new_operator,
            reason=ctx.value("reason") or None,
        )
    )
    return ctx.redirect(f"/passports/{passport_id}", flash="passport.waste_done")


@page("/passports/{passport_id:uuid}/recycled", methods=("POST",))
def passport_recycled(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    ctx.state.write(
        lambda s: lifecycle.end_by_recycling(
            s,
            caller=ctx.operator_id,
            account=ctx.session.account_id,
            passport_id=passport_id,
            reason=ctx.value("reason") or None,
        )
    )
    return ctx.redirect(f"/passports/{passport_id}", flash="passport.recycled_done")


@page("/passports/{passport_id:uuid}/successor", methods=("POST",))
def passport_successor(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    others = []
    for text in ctx.value("others").split():
        try:
            others.append(uuid.UUID(text))
        except ValueError:
            raise errors.InvalidRequest(f"{text}: not a passport id.") from None
    number = ctx.value("newOperator")
    new_operator = _operator_by_number(ctx, number) if number else None
    identifier = ctx.value("identifier")
    try:
        status = BatteryStatus(ctx.value("status"))
        category = BatteryCategory(ctx.value("category")) if ctx.value("category") else None
    except ValueError:
        raise errors.InvalidRequest(ctx.t("passport.successor_status")) from None
    made = ctx.state.write(
        lambda s: (
            lifecycle.create_successor(
                s,
                caller=ctx.operator_id,
                account=ctx.session.account_id,
                predecessor_ids=[passport_id, *others],
                status=status,
                new_operator_id=new_operator,
                category=category,
                battery=NewBattery(identifier=identifier) if identifier else None,
                reason=ctx.value("reason") or None,
            ).id
        )
    )
    target = made if new_operator in (None, ctx.operator_id) else passport_id
    return ctx.redirect(f"/passports/{target}", flash="passport.successor_done")


@page("/passports/{passport_id:uuid}/grants", methods=("POST",))
def passport_grant(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    grantee = _operator_by_number(ctx, ctx.value("grantee"))
    until_text = ctx.value("validUntil")
    try:
        until = (
            datetime.combine(datetime.fromisoformat(until_text).date(), time.max, tzinfo=UTC)
            if until_text
            else None
        )
    except ValueError:
        raise errors.InvalidRequest(ctx.t("passport.valid_until")) from None
    wanted = grants.GrantRequest(
        grantee_operator_id=grantee,
        interest=ctx.value("interest"),
        passport_id=passport_id,
        valid_until=until,
        may_report=ctx.value("mayReport") == "on",
    )
    ctx.state.write(lambda s: grants.grant_access(s, caller=ctx.operator_id, request=wanted))
    return ctx.redirect(f"/passports/{passport_id}", flash="passport.granted")


@page("/passports/{passport_id:uuid}/grants/{grant_id:uuid}/revoke", methods=("POST",))
def passport_revoke(ctx: Ctx) -> Response:
    passport_id = _passport_id(ctx)
    grant_id: uuid.UUID = ctx.request.path_params["grant_id"]
    ctx.state.write(lambda s: grants.revoke_grant(s, caller=ctx.operator_id, grant_id=grant_id))
    return ctx.redirect(f"/passports/{passport_id}", flash="passport.revoked")
