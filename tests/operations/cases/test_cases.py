"""Plans open cases once; cases move only along the state machine, with versions, fields and full history.

Bad plan files are refused whole, naming line and column.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fakescope.errors import Conflict, FieldInvalid, IllegalTransition, InvalidData
from fakescope.operations.access import service as access
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.models import Case
from fakescope.operations.db.migrate import operations_transaction
from fakescope.operations.ledger import service as ledger
from fakescope.settings import Settings

PURCHASE = {"buyer_account": "buyer-7", "order_ref": "order-42", "amount_paid": "99.5"}


def _count(settings: Settings) -> int:
    with operations_transaction(settings) as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def _move(settings: Settings, actor: Any, case_id: str, state: str, **kwargs: Any) -> Case:
    with operations_transaction(settings) as session:
        return cases.move(session, case_id=case_id, to_state=state, actor=actor, settings=settings, **kwargs)


def test_import_plan_opens_each_case_once(
    settings: Settings, operator: Any, plan_file: Callable[..., Path]
) -> None:
    path = plan_file(5)
    with operations_transaction(settings) as session:
        report = cases.import_plan(session, path=path, actor=operator, settings=settings)
    assert (report.rows, report.opened) == (5, 5)
    with operations_transaction(settings) as session:
        again = cases.import_plan(session, path=path, actor=operator, settings=settings)
        found = cases.list_cases(session, user=operator)
    assert (again.opened, again.already_imported) == (0, 5)
    assert _count(settings) == 5
    case = next(c for c in found if c.listing_id == "listing-0")
    assert (case.state, case.version, case.brand_id, case.price, case.inclusion_probability) == (
        "planned",
        1,
        "brand-0",
        99.5,
        1.0,
    )
    assert len({c.case_id for c in found}) == 5 and all(len(c.case_id) >= 32 for c in found)


def test_a_listing_with_an_open_case_is_not_opened_twice(
    settings: Settings, operator: Any, plan_file: Callable[..., Path]
) -> None:
    with operations_transaction(settings) as session:
        cases.import_plan(session, path=plan_file(2), actor=operator, settings=settings)
    later = plan_file(
        rows=[{"plan_id": "plan-2", "listing_id": "listing-0"}, {"plan_id": "plan-2"}], name="p2.csv"
    )
    with operations_transaction(settings) as session:
        report = cases.import_plan(session, path=later, actor=operator, settings=settings)
    assert (report.opened, report.already_open) == (0, 2)


def test_a_bad_plan_is_refused_whole_naming_line_and_column(
    settings: Settings, operator: Any, plan_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = plan_file(rows=[{}, {"price": "cheap"}, {"listing_id": ""}, {"inclusion_probability": "0"}])
    with operations_transaction(settings) as session, pytest.raises(InvalidData) as refused:
        cases.import_plan(session, path=path, actor=operator, settings=settings)
    lines = refused.value.summary()
    assert "plan.csv, row 3, price: must be a finite number, not 'cheap'" in lines
    assert "plan.csv, row 4, listing_id: must not be empty" in lines
    assert any(line.startswith("plan.csv, row 5, inclusion_probability: must be in (0, 1]") for line in lines)
    assert _count(settings) == 0
    header_only = tmp_path / "short.csv"
    header_only.write_text("plan_id,listing_id\np,l\n")
    with operations_transaction(settings) as session, pytest.raises(InvalidData) as missing:
        cases.import_plan(session, path=header_only, actor=operator, settings=settings)
    assert "short.csv, row 1, shop_id: column is missing from the header" in missing.value.summary()


def test_the_happy_path_and_its_history(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]]
) -> None:
    [case_id] = open_cases(1)
    with operations_transaction(settings) as session:
        access.create_organisation(session, name="Agency", kind="agency", actor=operator)
    case = _move(
        settings, operator, case_id, "purchased", fields=PURCHASE, reason="bought", expected_version=1
    )
    assert (case.state, case.version, case.amount_paid, case.order_ref) == ("purchased", 2, 99.5, "order-42")
    assert _move(settings, operator, case_id, "received").state == "received"
    assert _move(settings, operator, case_id, "in_appraisal").appraiser_org_id is not None
    with operations_transaction(settings) as session:
        case = cases.record_verdict(
            session,
            case_id=case_id,
            verdict="genuine",
            reason="matches the reference",
            actor=operator,
            settings=settings,
        )
    assert (case.state, case.verdict, case.verdict_reason) == ("verdict", "genuine", "matches the reference")
    _move(settings, operator, case_id, "acted")
    final = _move(settings, operator, case_id, "closed", reason="done")
    assert final.state == "closed" and final.closed_at is not None
    with operations_transaction(settings) as session:
        history = cases.case_history(session, case_id=case_id, user=operator)
        entries = ledger.entries_for(session, subject_type="case", subject_id=case_id)
    assert [(h.from_state, h.to_state) for h in history] == [
        (None, "planned"),
        ("planned", "purchased"),
        ("purchased", "received"),
        ("received", "in_appraisal"),
        ("in_appraisal", "verdict"),
        ("verdict", "acted"),
        ("acted", "closed"),
    ]
    assert history[1].actor == "local-operator" and history[1].reason == "bought"
    assert history[1].fields == {"buyer_account": "buyer-7", "order_ref": "order-42", "amount_paid": 99.5}
    assert [e.payload["to"] for e in entries if e.event_type == "case.moved"] == [
        "purchased",
        "received",
        "in_appraisal",
        "verdict",
        "acted",
        "closed",
    ]


def test_illegal_moves_and_bad_fields_are_refused(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]]
) -> None:
    [case_id] = open_cases(1)
    with pytest.raises(IllegalTransition, match="cannot move a case from planned to received") as skip:
        _move(settings, operator, case_id, "received")
    assert skip.value.details["state"] == "planned"
    with pytest.raises(FieldInvalid) as missing:
        _move(settings, operator, case_id, "purchased", fields={"buyer_account": "b", "order_ref": "o"})
    assert missing.value.field == "amount_paid"
    with pytest.raises(FieldInvalid) as bad:
        _move(settings, operator, case_id, "purchased", fields={**PURCHASE, "amount_paid": "lots"})
    assert bad.value.field == "amount_paid"
    with pytest.raises(FieldInvalid) as unknown:
        _move(settings, operator, case_id, "purchased", fields={**PURCHASE, "colour": "red"})
    assert unknown.value.field == "colour"
    with pytest.raises(FieldInvalid) as state:
        _move(settings, operator, case_id, "lost")
    assert state.value.field == "state"
    with operations_transaction(settings) as session:
        assert cases.get_case(session, case_id=case_id, user=operator).version == 1


def test_a_stale_version_gets_a_conflict_with_the_current_state(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]]
) -> None:
    [case_id] = open_cases(1)
    _move(settings, operator, case_id, "purchased", fields=PURCHASE, expected_version=1)
    with pytest.raises(Conflict) as stale:
        _move(settings, operator, case_id, "received", expected_version=1)
    assert (stale.value.details["state"], stale.value.details["version"]) == ("purchased", 2)
    assert _move(settings, operator, case_id, "received", expected_version=2).version == 3


def test_an_inconclusive_verdict_closes_and_frees_the_listing(
    settings: Settings,
    operator: Any,
    open_cases: Callable[..., list[str]],
    advance: Callable[[str, str], None],
    plan_file: Callable[..., Path],
) -> None:
    [case_id] = open_cases(1)
    with operations_transaction(settings) as session:
        access.create_organisation(session, name="Agency", kind="agency", actor=operator)
    advance(case_id, "in_appraisal")
    with operations_transaction(settings) as session:
        case = cases.record_verdict(
            session,
            case_id=case_id,
            verdict="inconclusive",
            reason="no reference sample",
            actor=operator,
            settings=settings,
        )
    assert (case.state, case.verdict) == ("closed", "inconclusive")
    again = plan_file(rows=[{"plan_id": "plan-2", "listing_id": "listing-0"}], name="again.csv")
    with operations_transaction(settings) as session:
        report = cases.import_plan(session, path=again, actor=operator, settings=settings)
    assert report.opened == 1


def test_roles_that_may_not_move_cases(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]]
) -> None:
    from fakescope.errors import NotFound

    [case_id] = open_cases(1)
    with operations_transaction(settings) as session:
        liaison, _ = access.create_user(
            session, name="lia", role="liaison", actor=operator, settings=settings
        )
    # A liaison works on referrals, not test buys: the case is out of sight, answered as if missing.
    with pytest.raises(NotFound):
        _move(settings, liaison, case_id, "purchased", fields=PURCHASE)
