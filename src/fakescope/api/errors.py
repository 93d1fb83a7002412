"""The one place domain errors become HTTP answers: each FakescopeError's `http_status` and `to_dict()`.

Validation errors answer 422 naming the field; web pages that need a login redirect to it instead.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from fakescope.errors import FakescopeError, Unauthorized

PAGE_PREFIX = "/ui"


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, FakescopeError)
    if isinstance(error, Unauthorized) and request.url.path.startswith(PAGE_PREFIX):
        return RedirectResponse("/login", status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return JSONResponse(error.to_dict(), status_code=error.http_status, headers=headers)


async def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        problems.append({"field": ".".join(location) or "body", "message": item.get("msg", "invalid")})
    first = problems[0] if problems else {"field": "body", "message": "invalid request"}
    return JSONResponse(
        {
            "error": "FieldInvalid",
            "message": f"{first['field']}: {first['message']}",
            "field": first["field"],
            "problems": problems,
        },
        status_code=422,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(FakescopeError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
