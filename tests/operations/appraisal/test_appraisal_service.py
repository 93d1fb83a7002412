"""Sending cases to appraisers with a deadline, what appraisers may see, and their verdicts with reports."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from act_world import World, make_world, run_cli

from fakescope.core.clock import utcnow
from fakescope.errors import FieldInvalid, IllegalTransition, NotFound, NotReady
from fakescope.operations.access import service as access
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.appraisal import service as appraisal
from fakescope.operations.appraisal.models import Appraisal
from fakescope.operations.cases import service as cases
from fakescope.operations.evidence import service as evidence
from fakescope.settings import Settings


def _appraisal(world: World, case_id: str) -> Appraisal:
    with world.tx() as session:
        return appraisal.get_appraisal(session, case_id=case_id, actor=LOCAL_OPERATOR)


def _appraiser(world: World, name: str, org_id: str) -> object:
    world.user(name, "appraiser", org=org_id)
    with world.tx() as session:
        return access.authenticate_token(session, token=world.tokens[name], settings=world.settings)


def test_the_brands_rights_holder_appraises_with_a_deadline(settings: Settings) -> None:
    world = make_world(settings, operations={"appraisal_deadline_days": 10})
    owner = world.org("Owner", brands=["brand-a"])
    agency = world.org("Agency", kind="agency")
    (own, other) = world.cases(1, brand_id="brand-a") + world.cases(1, brand_id="brand-z")
    before = utcnow()
    world.to_appraisal(own)
    world.to_appraisal(other)
    first, second = _appraisal(world, own), _appraisal(world, other)
    assert (first.org_id, first.route) == (owner, "rights_holder")
    assert (second.org_id, second.route) == (agency, "agency")
    assert timedelta(days=10) <= first.due_at - before < timedelta(days=10, minutes=1)
    with world.tx() as session:
        assert cases.get_case(session, case_id=own, user=LOCAL_OPERATOR).appraiser_org_id == owner


def test_a_category_rule_sends_cases_to_an_agency_first(settings: Settings) -> None:
    world = make_world(settings, operations={"appraisal_route_by_category": {"medicine": "agency"}})
    world.org("Owner", brands=["brand-a"])
    agency = world.org("Agency", kind="agency")
    (case_id,) = world.cases(brand_id="brand-a", category="medicine")
    world.to_appraisal(case_id)
    assert _appraisal(world, case_id).org_id == agency


def test_nobody_to_appraise_refuses_the_move_and_says_what_to_do(settings: Settings) -> None:
    world = make_world(settings)
    (case_id,) = world.cases(brand_id="brand-a")
    with pytest.raises(NotReady, match="fakescope orgs create"):
        world.to_appraisal(case_id)
    with world.tx() as session:
        assert cases.get_case(session, case_id=case_id, user=LOCAL_OPERATOR).state == "planned"


def test_overdue_lists_only_late_open_appraisals(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    late, on_time, done = world.cases(3)
    for case_id in (late, on_time, done):
        world.to_appraisal(case_id)
    world.verdict(done, "genuine")
    with world.tx() as session:
        for case_id in (late, done):
            row = appraisal.get_appraisal(session, case_id=case_id, actor=LOCAL_OPERATOR)
            row.due_at = utcnow() - timedelta(days=1)
    with world.tx() as session:
        found = appraisal.overdue(session, actor=LOCAL_OPERATOR)
    assert [a.case_id for a, _ in found] == [late]
    result = run_cli(monkeypatch, capsys, world.settings, "appraisals", "overdue", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["case_id"], r["overdue"], r["state"]) for r in rows] == [(late, True, "in_appraisal")]


def test_appraisers_see_only_their_organisations_cases(settings: Settings) -> None:
    world = make_world(settings)
    mine = world.org("Owner A", brands=["brand-a"])
    theirs = world.org("Owner B", brands=["brand-b"])
    (case_a,) = world.cases(brand_id="brand-a")
    (case_b,) = world.cases(brand_id="brand-b")
    world.to_appraisal(case_a)
    world.to_appraisal(case_b)
    alice = _appraiser(world, "alice", mine)
    with world.tx() as session:
        assert [a.case_id for a, _ in appraisal.list_appraisals(session, actor=alice)] == [case_a]
        view = appraisal.appraisal_view(session, case_id=case_a, actor=alice)
        assert view.case.case_id == case_a and len(view.samples) == 1 and view.actions == []
        with pytest.raises(NotFound):
            appraisal.appraisal_view(session, case_id=case_b, actor=alice)
        with pytest.raises(NotFound):
            appraisal.get_appraisal(session, case_id=case_b, actor=alice)
    assert theirs != mine


def test_an_appraisers_verdict_stores_the_report_and_enforces(settings: Settings) -> None:
    world = make_world(settings)
    org = world.org("Owner", brands=["brand-a"])
    (case_id,) = world.cases(brand_id="brand-a")
    world.to_appraisal(case_id)
    alice = _appraiser(world, "alice", org)
    report = b"%PDF-1.4 lab report: stitching and hologram do not match the genuine product\n"
    with world.tx() as session:
        appraisal.check_can_submit(
            session, case_id=case_id, verdict="counterfeit", reasoning="x", actor=alice
        )
    sha256, size = appraisal.store_report([report], settings=world.settings)
    with world.tx() as session:
        outcome = appraisal.submit_verdict(
            session,
            case_id=case_id,
            verdict="counterfeit",
            reasoning="hologram missing",
            report_sha256=sha256,
            report_size=size,
            report_filename="report.pdf",
            actor=alice,
            settings=world.settings,
        )
        assert outcome.case.state == "verdict" and outcome.case.verdict_by == "alice"
        assert {a.type for a in outcome.actions} == {"takedown_listing", "close_shop", "ban_seller"}
    done = _appraisal(world, case_id)
    assert (done.verdict, done.reasoning, done.verdict_by) == ("counterfeit", "hologram missing", "alice")
    with world.tx() as session:
        (item,) = evidence.list_evidence(session, case_id=case_id, user=LOCAL_OPERATOR)
        assert (item.evidence_id, item.kind, item.sha256) == (done.report_evidence_id, "report", sha256)
        _, chunks = evidence.open_for_reading(
            session, evidence_id=item.evidence_id, user=LOCAL_OPERATOR, settings=world.settings
        )
        assert b"".join(chunks) == report


def test_a_verdict_needs_reasoning_a_report_and_a_case_in_appraisal(settings: Settings) -> None:
    world = make_world(settings)
    world.org("Agency", kind="agency")
    (waiting, planned) = world.cases(2)
    world.to_appraisal(waiting)
    with world.tx() as session:
        with pytest.raises(FieldInvalid, match="reasoning"):
            appraisal.check_can_submit(
                session, case_id=waiting, verdict="genuine", reasoning=" ", actor=LOCAL_OPERATOR
            )
        with pytest.raises(FieldInvalid, match="verdict"):
            appraisal.check_can_submit(
                session, case_id=waiting, verdict="fake", reasoning="r", actor=LOCAL_OPERATOR
            )
        with pytest.raises(IllegalTransition):
            appraisal.check_can_submit(
                session, case_id=planned, verdict="genuine", reasoning="r", actor=LOCAL_OPERATOR
            )
    with pytest.raises(FieldInvalid, match="report"):
        appraisal.store_report(iter([b""]), settings=world.settings)
