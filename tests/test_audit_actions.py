"""Every audit action a service builds from an enumeration is a member of AuditAction."""

from __future__ import annotations

from battrace.audit.actions import AuditAction
from battrace.passport.lifecycle import SUCCESSOR_ACTIONS
from battrace.passport.models import BatteryStatus
from battrace.recycling.custody import EVENT_ACTIONS
from battrace.recycling.models import EventKind


def test_every_custody_event_kind_has_its_own_audit_action() -> None:
    assert set(EVENT_ACTIONS) == set(EventKind)
    assert {kind: action.value for kind, action in EVENT_ACTIONS.items()} == {
        kind: f"custody:{kind.value}" for kind in EventKind
    }
    assert all(isinstance(action, AuditAction) for action in EVENT_ACTIONS.values())


def test_every_successor_status_has_its_own_audit_action() -> None:
    successors = {BatteryStatus.REPURPOSED, BatteryStatus.REUSED, BatteryStatus.REMANUFACTURED}
    assert set(SUCCESSOR_ACTIONS) == successors
    assert {action.value for action in SUCCESSOR_ACTIONS.values()} == {
        f"passport:{status.value}" for status in successors
    }
