"""Tenant isolation walked from the app's own OpenAPI document: every endpoint, every role, two organisations.

A user who may not see an organisation's objects gets exactly what a missing object gets (404, or 403 for a
role refused outright), never the data, and no write of theirs changes anything. A new endpoint joins the walk
by existing; one with a path parameter this test cannot fill fails it until the parameter is added below.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fakescope.operations.access.models import User
from fakescope.operations.access.principal import LOCAL_OPERATOR
from fakescope.operations.appraisal.models import Appraisal
from fakescope.operations.cases.models import Case
from fakescope.operations.enforcement.models import EnforcementAction
from fakescope.operations.evidence import service as evidence
from fakescope.operations.evidence.models import CustodyEvent, Evidence
from fakescope.operations.storehouse import service as storehouse
from fakescope.operations.storehouse.models import Sample
from fakescope.settings import Settings


def _load_act_world() -> Any:
    if "act_world" not in sys.modules:
        path = Path(__file__).parents[1] / "operations" / "enforcement" / "act_world.py"
        spec = importlib.util.spec_from_file_location("act_world", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["act_world"] = module
        spec.loader.exec_module(module)
    return sys.modules["act_world"]


act_world = _load_act_world()
STAFF = ("admin", "analyst", "investigator")
WRITE_METHODS = ("post", "put", "patch", "delete")
MISSING = "missing-0123456789abcdef"


@dataclass
class Tenant:
    """One organisation with everything it owns: a finished counterfeit case and one waiting for a verdict."""

    name: str
    org_id: str
    token: str
    user_id: str
    params: dict[str, str]
    secrets: set[str] = field(default_factory=set)
    case_ids: list[str] = field(default_factory=list)


def _build_tenant(world: Any, name: str) -> Tenant:
    tag = f"{name}-{secrets.token_hex(3)}"
    brand = f"brand-{tag}"
    org_id = world.org(f"Owner {tag}", brands=[brand])
    token = world.user(f"appraiser-{tag}", "appraiser", org=org_id)
    place = {"shop_id": f"shop-{tag}", "seller_id": f"seller-{tag}", "brand_id": brand}
    (done,) = world.cases(1, listing_id=f"listing-{tag}-1", **place)
    (waiting,) = world.cases(1, listing_id=f"listing-{tag}-2", **place)
    for case_id in (done, waiting):
        world.to_appraisal(case_id)
    with world.tx() as session:
        item, _ = evidence.attach(
            session,
            case_id=waiting,
            sha256=evidence.store_stream([f"photo of {tag}".encode()], settings=world.settings)[0],
            size=len(f"photo of {tag}"),
            kind="photo",
            actor=LOCAL_OPERATOR,
            filename="unboxing.jpg",
        )
        evidence_id = item.evidence_id
    world.verdict(done, "counterfeit")
    with world.tx() as session:
        sample = storehouse.sample_for_case(session, case_id=waiting)
        assert sample is not None
        action_ids = list(
            session.scalars(select(EnforcementAction.action_id).where(EnforcementAction.case_id == done))
        )
        appraisal_ids = list(
            session.scalars(select(Appraisal.appraisal_id).where(Appraisal.org_id == org_id))
        )
        appraiser_id = session.scalar(select(User.user_id).where(User.org_id == org_id))
        assert session.get(Case, done).appraiser_org_id == org_id  # routed to the brand's rights holder
    assert action_ids and appraiser_id
    params = {
        "case_id": waiting,
        "evidence_id": evidence_id,
        "sample_id": sample.sample_id,
        "action_id": action_ids[0],
        "org_id": org_id,
        "user_id": str(appraiser_id),
        # Rings belong to no organisation (platform-wide analytics); appraisers are refused whatever the id.
        "ring_id": f"ring-{tag}",
    }
    hidden = {
        done,
        waiting,
        evidence_id,
        sample.sample_id,
        org_id,
        str(appraiser_id),
        brand,
        f"listing-{tag}-1",
        f"listing-{tag}-2",
        *action_ids,
        *appraisal_ids,
        f"shop-{tag}",
        f"seller-{tag}",
    }
    return Tenant(name, org_id, token, str(appraiser_id), params, hidden, [done, waiting])


def _snapshot(world: Any, tenant: Tenant) -> dict[str, Any]:
    """Everything a write could change for this tenant, and every custody record (reads leave one)."""
    ids = tenant.case_ids
    with world.tx() as session:
        return {
            "cases": sorted(
                session.execute(
                    select(Case.case_id, Case.state, Case.version, Case.verdict, Case.appraiser_org_id).where(
                        Case.case_id.in_(ids)
                    )
                ).all()
            ),
            "evidence": session.scalar(
                select(func.count()).select_from(Evidence).where(Evidence.case_id.in_(ids))
            ),
            "custody": session.scalar(
                select(func.count()).select_from(CustodyEvent).where(CustodyEvent.case_id.in_(ids))
            ),
            "samples": sorted(
                session.execute(
                    select(Sample.sample_id, Sample.status, Sample.holder, Sample.legal_hold).where(
                        Sample.case_id.in_(ids)
                    )
                ).all()
            ),
            "actions": sorted(
                session.execute(
                    select(
                        EnforcementAction.action_id, EnforcementAction.state, EnforcementAction.attempts
                    ).where(EnforcementAction.case_id.in_(ids))
                ).all()
            ),
            "appraisals": sorted(
                session.execute(
                    select(Appraisal.appraisal_id, Appraisal.completed_at, Appraisal.verdict).where(
                        Appraisal.case_id.in_(ids)
                    )
                ).all()
            ),
        }


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value of a JSON schema, filling every property (for a generic body to a new endpoint)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(sub, components) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema.get("items", {}), components)]
    return {"integer": 1, "number": 1.0, "boolean": True}.get(str(kind), "counterfeit")


# Paths whose ids belong to no organisation: still walked (no change, no leak), but a role allowed to read
# them (the liaison, for rings) may get an answer other than 403/404.
PLATFORM_WIDE = frozenset({"/rings/{ring_id}"})

# Bodies that would succeed for someone allowed to act, so a leak would show as a change.
JSON_BODIES: dict[tuple[str, str], Any] = {
    ("post", "/cases/{case_id}/moves"): {
        "state": "verdict",
        "fields": {"verdict": "counterfeit"},
        "reason": "x",
    },
    ("post", "/samples/{sample_id}/actions"): {"action": "check_in", "location": "room/1/2"},
}


def _request_kwargs(
    method: str, path: str, operation: dict[str, Any], components: dict[str, Any]
) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return {}
    if "application/json" in content:
        body = JSON_BODIES.get((method, path))
        if body is None:
            body = _example(content["application/json"].get("schema", {}), components)
        return {"json": body}
    if "multipart/form-data" in content:
        schema = content["multipart/form-data"].get("schema", {})
        properties = _example(schema, components) if schema else {}
        files: dict[str, Any] = {}
        data: dict[str, Any] = {}
        resolved = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
        for name, sub in resolved.get("properties", {}).items():
            if sub.get("format") == "binary" or sub.get("contentMediaType") or "binary" in json.dumps(sub):
                files[name] = ("report.pdf", b"%PDF report from another tenant", "application/pdf")
            elif name == "reasoning":
                data[name] = "cross-tenant attempt"
            elif isinstance(properties, dict) and name in properties and name != "expected_version":
                data[name] = str(properties[name])
        return {"data": data, "files": files}
    if "application/x-www-form-urlencoded" in content:
        return {"data": {"username": "nobody", "password": "not-a-password"}}
    return {"content": b"evidence bytes from another tenant"}


@dataclass
class Call:
    method: str
    path: str
    operation: dict[str, Any]


def _calls(document: dict[str, Any]) -> list[Call]:
    return [
        Call(method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _fill(call: Call, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    url = call.path
    query: dict[str, str] = {}
    for parameter in call.operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            if name not in values:
                pytest.fail(
                    f"{call.method.upper()} {call.path}: path parameter {name!r} has no tenant value; "
                    "add it to Tenant.params in tests/api/test_tenant_isolation.py"
                )
            url = url.replace("{" + name + "}", values[name])
        elif where == "query" and name in values:
            query[name] = values[name]
    return url, query


def test_every_endpoint_every_role_two_organisations(client: Any, api_settings: Settings) -> None:
    world = act_world.make_world(api_settings)
    tenants = [_build_tenant(world, "a"), _build_tenant(world, "b")]
    users: dict[str, tuple[str, str | None]] = {
        role: (world.user(f"{role}-user", role), None) for role in STAFF
    }
    users["liaison"] = (world.user("liaison-user", "liaison"), None)
    for tenant in tenants:
        users[f"appraiser-{tenant.name}"] = (tenant.token, tenant.org_id)
    document = client.get("/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    calls = _calls(document)
    assert {"/appraisals/{case_id}/verdict", "/actions", "/cases/{case_id}"} <= {c.path for c in calls}
    missing_values = {name: MISSING for name in tenants[0].params}
    checked = 0
    for who, (token, own_org) in users.items():
        headers = {"Authorization": f"Bearer {token}"}
        role = who.split("-")[0]
        for owner in tenants:
            may_see = role in STAFF or (role == "appraiser" and own_org == owner.org_id)
            if may_see:
                continue
            for call in calls:
                url, query = _fill(call, owner.params)
                missing_url, missing_query = _fill(call, missing_values)
                kwargs = _request_kwargs(call.method, call.path, call.operation, components)
                before = _snapshot(world, owner)
                answer = client.request(call.method.upper(), url, params=query, headers=headers, **kwargs)
                after = _snapshot(world, owner)
                where = f"{who} {call.method.upper()} {url} (owned by org {owner.name})"
                assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:300]}"
                assert before == after, f"{where} changed the other organisation's data"
                asked = url + json.dumps(query)  # an error may repeat the id the caller gave; nothing more
                leaked = sorted(s for s in owner.secrets if s in answer.text and s not in asked)
                assert not leaked, f"{where} answered {answer.status_code} revealing {leaked}"
                if "{" in call.path and call.path not in PLATFORM_WIDE:
                    assert answer.status_code in (403, 404), (
                        f"{where}: {answer.status_code} {answer.text[:200]}"
                    )
                    kwargs = _request_kwargs(call.method, call.path, call.operation, components)
                    absent = client.request(
                        call.method.upper(), missing_url, params=missing_query, headers=headers, **kwargs
                    )
                    assert absent.status_code == answer.status_code, (
                        f"{where}: hidden answers {answer.status_code}, missing answers {absent.status_code}"
                    )
                checked += 1
    # The walk must not be vacuous: staff see both organisations' objects on every read with an object.
    admin = {"Authorization": f"Bearer {users['admin'][0]}"}
    for owner in tenants:
        for call in calls:
            if call.method == "get" and "{" in call.path and call.path not in PLATFORM_WIDE:
                url, query = _fill(call, owner.params)
                assert client.get(url, params=query, headers=admin).status_code == 200, f"admin GET {url}"
    # And each appraiser sees their own organisation's case and its actions.
    for tenant in tenants:
        own = {"Authorization": f"Bearer {tenant.token}"}
        view = client.get(f"/appraisals/{tenant.case_ids[0]}", headers=own)
        assert view.status_code == 200 and len(view.json()["actions"]) == 3
        listed = client.get("/actions", headers=own).json()
        assert {a["case_id"] for a in listed} == {tenant.case_ids[0]}
    # liaison x 2 organisations + each appraiser x the other organisation, on every endpoint
    assert checked == len(calls) * 4
