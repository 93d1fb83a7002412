"""Samples are booked in on receipt, checked out for appraisal, kept through retention and legal holds.

Disposal before the retention ends, under a hold, or of an open case is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from fakescope.errors import Conflict, FieldInvalid
from fakescope.operations.access import service as access
from fakescope.operations.cases import service as cases
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.evidence import custody
from fakescope.operations.storehouse import service as storehouse
from fakescope.settings import Settings, get_settings


@pytest.fixture
def agency(settings: Settings, operator: Any) -> str:
    with operations_transaction(settings) as session:
        return access.create_organisation(session, name="Inspectors", kind="agency", actor=operator).org_id


def _sample(settings: Settings, case_id: str) -> Any:
    with operations_transaction(settings) as session:
        return storehouse.sample_for_case(session, case_id=case_id)


def test_receipt_books_in_and_appraisal_checks_out(
    settings: Settings,
    operator: Any,
    agency: str,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
) -> None:
    custom = get_settings(
        settings.workspace, database_url=settings.database_url, operations={"intake_location": "A/2/7"}
    )
    [case_id] = open_cases(1)
    advance(case_id, "purchased")
    with operations_transaction(custom) as session:
        cases.move(session, case_id=case_id, to_state="received", actor=operator, settings=custom)
    booked = _sample(settings, case_id)
    assert (booked.status, booked.location, booked.room, booked.shelf, booked.bin) == (
        "in_store",
        "A/2/7",
        "A",
        "2",
        "7",
    )
    with operations_transaction(custom) as session:
        cases.move(session, case_id=case_id, to_state="in_appraisal", actor=operator, settings=custom)
    out = _sample(settings, case_id)
    assert (out.status, out.holder, out.holder_org_id, out.location) == (
        "checked_out",
        "Inspectors",
        agency,
        None,
    )
    with operations_transaction(settings) as session:
        back = storehouse.check_in(session, sample_id=out.sample_id, location="B/1/3", actor=operator)
        assert (back.status, back.location) == ("in_store", "B/1/3")
        with pytest.raises(Conflict, match="not checked out"):
            storehouse.check_in(session, sample_id=out.sample_id, location="B/1/3", actor=operator)
        with pytest.raises(FieldInvalid):
            storehouse.move_to(session, sample_id=out.sample_id, location="B/1", actor=operator)
        trail = [(c.action, c.place) for c in custody.history(session, item_id=out.sample_id)]
    assert trail == [("stored", "A/2/7"), ("checked_out", "A/2/7"), ("checked_in", "B/1/3")]


def test_retention_and_legal_holds_refuse_disposal(
    settings: Settings,
    operator: Any,
    agency: str,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
) -> None:
    [case_id] = open_cases(1)
    advance(case_id, "in_appraisal")
    sample_id = _sample(settings, case_id).sample_id
    with operations_transaction(settings) as session, pytest.raises(Conflict, match="open case"):
        storehouse.dispose(session, sample_id=sample_id, actor=operator, reason="tidy")
    with operations_transaction(settings) as session:
        storehouse.check_in(session, sample_id=sample_id, location="A/1/1", actor=operator)
        cases.record_verdict(
            session,
            case_id=case_id,
            verdict="inconclusive",
            reason="unclear",
            actor=operator,
            settings=settings,
        )
    kept = _sample(settings, case_id)
    closed_at = _case(settings, operator, case_id).closed_at
    assert kept.retain_until is not None and kept.retain_until.year == closed_at.year + 3
    with operations_transaction(settings) as session, pytest.raises(Conflict, match="must be kept until"):
        storehouse.dispose(session, sample_id=sample_id, actor=operator, reason="tidy")
    later = kept.retain_until + timedelta(days=1)
    with operations_transaction(settings) as session:
        storehouse.set_legal_hold(
            session, sample_id=sample_id, hold=True, reason="court order 12", actor=operator
        )
    with operations_transaction(settings) as session, pytest.raises(Conflict, match="legal hold"):
        storehouse.dispose(session, sample_id=sample_id, actor=operator, reason="tidy", now=later)
    with operations_transaction(settings) as session:
        storehouse.set_legal_hold(session, sample_id=sample_id, hold=False, reason=None, actor=operator)
        gone = storehouse.dispose(
            session, sample_id=sample_id, actor=operator, reason="retention over", now=later
        )
        assert (gone.status, gone.location) == ("disposed", None)


def test_retention_years_come_from_settings(
    settings: Settings,
    operator: Any,
    agency: str,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
) -> None:
    five = get_settings(
        settings.workspace, database_url=settings.database_url, operations={"retention_years": 5}
    )
    [case_id] = open_cases(1)
    advance(case_id, "in_appraisal")
    with operations_transaction(five) as session:
        cases.record_verdict(
            session, case_id=case_id, verdict="inconclusive", reason="x", actor=operator, settings=five
        )
    assert (
        _sample(settings, case_id).retain_until.year == _case(settings, operator, case_id).closed_at.year + 5
    )


def test_a_genuine_sample_becomes_an_asset(
    settings: Settings,
    operator: Any,
    agency: str,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
) -> None:
    [case_id] = open_cases(1)
    advance(case_id, "in_appraisal")
    with operations_transaction(settings) as session:
        cases.record_verdict(
            session, case_id=case_id, verdict="genuine", reason="ok", actor=operator, settings=settings
        )
    sample = _sample(settings, case_id)
    assert sample.is_asset
    with operations_transaction(settings) as session, pytest.raises(Conflict):
        storehouse.dispose(session, sample_id=sample.sample_id, actor=operator, reason="x")


def _case(settings: Settings, operator: Any, case_id: str) -> Any:
    with operations_transaction(settings) as session:
        return cases.get_case(session, case_id=case_id, user=operator)
