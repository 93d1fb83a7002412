"""The few plain web pages: log in with a password, the cases list, a case with its evidence and sample.

The session cookie holds a short-lived token and authorises reads only (see `deps.bearer_token`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fakescope.api.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep
from fakescope.errors import Unauthorized
from fakescope.operations.access import service as access
from fakescope.operations.cases import service as cases
from fakescope.operations.cases.transitions import STATES
from fakescope.operations.evidence import service as evidence
from fakescope.operations.storehouse import service as storehouse

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
SESSION_HOURS = 12


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/ui/cases", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return templates.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Check the password; on success set the session cookie and go to the cases."""
    try:
        user = access.authenticate_password(session, name=username, password=password)
    except Unauthorized as error:
        return templates.TemplateResponse(request, "login.html", {"error": error.message}, status_code=401)
    token = access.issue_token(
        session, user=user, settings=settings, kind="web", ttl=timedelta(hours=SESSION_HOURS)
    )
    session.commit()
    answer = RedirectResponse("/ui/cases", status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> RedirectResponse:
    """Forget the session token and the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        access.revoke_token(session, token=token, settings=settings)
        session.commit()
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(SESSION_COOKIE)
    return answer


@router.get("/ui/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, session: SessionDep, user: CurrentUser, state: str | None = None
) -> Response:
    """Every case the user may see."""
    found = cases.list_cases(session, user=user, state=state or None)
    return templates.TemplateResponse(
        request, "cases.html", {"user": user, "cases": found, "states": STATES, "state": state}
    )


@router.get("/ui/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """One case: its fields, history, evidence and sample."""
    case = cases.get_case(session, case_id=case_id, user=user)
    context = {
        "user": user,
        "case": case,
        "history": cases.case_history(session, case_id=case_id, user=user),
        "evidence": evidence.list_evidence(session, case_id=case_id, user=user),
        "sample": storehouse.sample_for_case(session, case_id=case_id),
    }
    return templates.TemplateResponse(request, "case.html", context)
