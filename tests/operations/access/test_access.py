"""Organisations, users, tokens and passwords, and the policy that scopes cases by role and organisation.

Tokens must work at once and be stored only as a keyed hash; hidden cases must look exactly like missing ones.
"""

from __future__ import annotations

import hmac
import stat
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from fakescope.core.clock import utcnow
from fakescope.errors import Conflict, FieldInvalid, Forbidden, NotFound, Unauthorized
from fakescope.operations.access import service as access
from fakescope.operations.access.models import ApiToken, User
from fakescope.operations.access.secrets import secret_key
from fakescope.operations.access.token_cache import TOKENS
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.models import Case
from fakescope.operations.db.migrate import operations_transaction
from fakescope.settings import Settings, get_settings
from fakescope.workspace import Workspace


def test_organisations_own_brands_once(settings: Settings, operator: Any) -> None:
    with operations_transaction(settings) as session:
        org = access.create_organisation(
            session, name="Acme", kind="rights_holder", brands=["b1", "b2"], actor=operator
        )
        assert org.brand_ids == ["b1", "b2"]
    with (
        operations_transaction(settings) as session,
        pytest.raises(Conflict, match="brand 'b2' is owned by 'Acme'"),
    ):
        access.create_organisation(session, name="Other", kind="rights_holder", brands=["b2"], actor=operator)
    with operations_transaction(settings) as session, pytest.raises(Conflict, match="exists already"):
        access.create_organisation(session, name="Acme", kind="agency", actor=operator)
    with operations_transaction(settings) as session, pytest.raises(FieldInvalid) as bad:
        access.create_organisation(session, name="X", kind="shop", actor=operator)
    assert bad.value.field == "kind"
    with operations_transaction(settings) as session:
        assert (
            access.find_organisation(session, ref="Acme").org_id
            == access.find_organisation(session, ref=org.org_id).org_id
        )


def test_token_works_and_only_its_keyed_hash_is_stored(settings: Settings, operator: Any) -> None:
    with operations_transaction(settings) as session:
        _, token = access.create_user(session, name="ana", role="analyst", actor=operator, settings=settings)
    with operations_transaction(settings) as session:
        assert access.authenticate_token(session, token=token, settings=settings).name == "ana"
        stored = session.scalars(select(ApiToken.token_hash)).all()
        dump = " ".join(
            str(v) for row in session.execute(text("SELECT * FROM api_tokens")).all() for v in row
        )
    assert token not in dump
    expected = hmac.new(secret_key(settings), token.encode(), "sha256").hexdigest()
    assert stored == [expected]
    secret_file = Workspace(settings.workspace).secret_key_file
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=token + "x", settings=settings)
    with operations_transaction(settings) as session:
        session.execute(update(User).values(active=False))
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=token, settings=_uncached(settings))


def _uncached(settings: Settings) -> Settings:
    return settings.model_copy(update={"serve": settings.serve.model_copy(update={"token_cache_seconds": 0})})


def test_a_checked_token_is_trusted_only_for_the_cache_seconds(
    settings: Settings, operator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ttl = settings.serve.token_cache_seconds
    assert ttl > 0
    start = TOKENS.clock()
    monkeypatch.setattr(TOKENS, "clock", lambda: start)
    with operations_transaction(settings) as session:
        user, token = access.create_user(
            session, name="ana", role="analyst", actor=operator, settings=settings
        )
        web = access.issue_token(session, user=user, settings=settings, kind="web")
        _, revoked = access.create_user(
            session, name="rob", role="analyst", actor=operator, settings=settings
        )
    with operations_transaction(settings) as session:
        for each in (token, web, revoked):
            access.authenticate_token(session, token=each, settings=settings)
        assert access.remembered_user(token=token, settings=settings) is not None
        assert access.remembered_user(token=web, settings=settings) is None  # web sessions: never remembered
        access.revoke_token(session, token=revoked, settings=settings)
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=revoked, settings=settings)  # this process forgot it at once
    with operations_transaction(settings) as session:
        session.execute(update(User).where(User.name == "ana").values(active=False))
    with operations_transaction(settings) as session:
        # Within the cache seconds this process still trusts what the database said a moment ago ...
        assert access.authenticate_token(session, token=token, settings=settings).name == "ana"
        # ... but a web session (logging out, deactivation) is checked in the database every time.
        with pytest.raises(Unauthorized):
            access.authenticate_token(session, token=web, settings=settings)
    monkeypatch.setattr(TOKENS, "clock", lambda: start + ttl)
    assert access.remembered_user(token=token, settings=settings) is None
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=token, settings=settings)


def test_a_remembered_token_still_expires_on_time(settings: Settings, operator: Any) -> None:
    with operations_transaction(settings) as session:
        user, _ = access.create_user(session, name="eve", role="analyst", actor=operator, settings=settings)
        token = access.issue_token(session, user=user, settings=settings, ttl=timedelta(minutes=5))
    with operations_transaction(settings) as session:
        assert access.authenticate_token(session, token=token, settings=settings).name == "eve"
    assert access.remembered_user(token=token, settings=settings) is not None
    later = utcnow() + timedelta(minutes=6)
    with pytest.raises(Unauthorized):
        access.remembered_user(token=token, settings=settings, now=later)
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=token, settings=settings, now=later)


def test_a_configured_secret_keys_the_hashes(settings: Settings, operator: Any) -> None:
    keyed = get_settings(settings.workspace, database_url=settings.database_url, secret_key="k" * 40)
    with operations_transaction(keyed) as session:
        _, token = access.create_user(session, name="kim", role="analyst", actor=operator, settings=keyed)
    with operations_transaction(keyed) as session:
        assert access.authenticate_token(session, token=token, settings=keyed).name == "kim"
    # the same token under another key is unknown
    with operations_transaction(settings) as session, pytest.raises(Unauthorized):
        access.authenticate_token(session, token=token, settings=settings)


def test_passwords_are_argon2_and_checked(settings: Settings, operator: Any) -> None:
    with operations_transaction(settings) as session:
        user, _ = access.create_user(
            session,
            name="ivy",
            role="investigator",
            password="correct horse",
            actor=operator,
            settings=settings,
        )
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    with operations_transaction(settings) as session:
        assert access.authenticate_password(session, name="ivy", password="correct horse").name == "ivy"
        with pytest.raises(Unauthorized):
            access.authenticate_password(session, name="ivy", password="wrong horse")
        with pytest.raises(Unauthorized):
            access.authenticate_password(session, name="nobody", password="correct horse")


def test_user_rules(settings: Settings, operator: Any) -> None:
    with operations_transaction(settings) as session, pytest.raises(FieldInvalid) as no_org:
        access.create_user(session, name="apr", role="appraiser", actor=operator, settings=settings)
    assert no_org.value.field == "org"
    with operations_transaction(settings) as session, pytest.raises(FieldInvalid) as bad_role:
        access.create_user(session, name="x", role="boss", actor=operator, settings=settings)
    assert bad_role.value.field == "role"
    with operations_transaction(settings) as session, pytest.raises(NotFound):
        access.create_user(
            session, name="x", role="appraiser", org="Nowhere", actor=operator, settings=settings
        )
    with operations_transaction(settings) as session:
        analyst, _ = access.create_user(
            session, name="ana", role="analyst", actor=operator, settings=settings
        )
    with operations_transaction(settings) as session, pytest.raises(Forbidden):
        access.create_user(session, name="eve", role="admin", actor=analyst, settings=settings)


def test_cases_are_scoped_by_role_and_organisation(
    settings: Settings, operator: Any, open_cases: Callable[..., list[str]]
) -> None:
    first, second, third = open_cases(3)
    with operations_transaction(settings) as session:
        acme = access.create_organisation(session, name="Acme", kind="rights_holder", actor=operator)
        other = access.create_organisation(session, name="Other", kind="agency", actor=operator)
        session.execute(update(Case).where(Case.case_id == first).values(appraiser_org_id=acme.org_id))
        session.execute(update(Case).where(Case.case_id == second).values(appraiser_org_id=other.org_id))
        users = {
            role: access.create_user(
                session,
                name=role,
                role=role,
                org="Acme" if role == "appraiser" else None,
                actor=operator,
                settings=settings,
            )[0]
            for role in ("admin", "analyst", "investigator", "appraiser", "liaison")
        }
    with operations_transaction(settings) as session:
        for role in ("admin", "analyst", "investigator"):
            assert len(cases.list_cases(session, user=users[role])) == 3
        appraiser, liaison = users["appraiser"], users["liaison"]
        assert [c.case_id for c in cases.list_cases(session, user=appraiser)] == [first]
        assert cases.get_case(session, case_id=first, user=appraiser).case_id == first
        assert cases.list_cases(session, user=liaison) == []
        hidden = [(appraiser, second), (appraiser, third), (liaison, first)]
        for user, case_id in hidden:
            with pytest.raises(NotFound) as seen:
                cases.get_case(session, case_id=case_id, user=user)
            with pytest.raises(NotFound) as missing:
                cases.get_case(session, case_id="case_does_not_exist", user=user)
            assert seen.value.message.replace(case_id, "?") == missing.value.message.replace(
                "case_does_not_exist", "?"
            )
