"""``/login``: the form, the attempt (throttled in the database: ``accounts.throttle``),
and the way back to the page that asked for it (``next``, a local path only)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from followup.db import write_session
from followup.web import i18n
from followup.web.auth import current_owner, safe_next, start_session
from followup.web.csrf import check_csrf
from followup.web.layout import render

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next_path: Annotated[str | None, Query(alias="next")] = None,
    lang: str | None = None,
) -> Response:
    if lang in i18n.LANGUAGES:
        request.session["lang"] = lang
    target = safe_next(next_path)
    if current_owner(request) is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", {"next": target, "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    from followup.accounts import attempt_login

    context = request.app.state.followup
    target = safe_next(next_path)
    ip = request.client.host if request.client else None
    with write_session(context.engine) as session:
        attempt = attempt_login(session, email, password, ip, context.clock())
    values = {"next": target, "email": email.strip()[:320]}
    if attempt.wait is not None:
        minutes = max(1, math.ceil(attempt.wait.total_seconds() / 60))
        return render(
            request,
            "login.html",
            {**values, "wait_minutes": minutes},
            status_code=429,
            headers={"Retry-After": str(math.ceil(attempt.wait.total_seconds()))},
            language=attempt.language,
        )
    if attempt.user is None:
        return render(request, "login.html", {**values, "refused": True}, status_code=401)
    start_session(request, attempt.user, attempt.language or i18n.DEFAULT)
    return RedirectResponse(target, status_code=303)
