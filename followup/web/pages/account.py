"""The owner's own session: logging out, and the dashboard's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from followup.db import write_session
from followup.web.auth import LoggedIn, end_session, safe_next
from followup.web.pages import page_router

router = page_router()


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    end_session(request)
    return RedirectResponse("/login", status_code=303)


@router.post("/language")
def language(
    request: Request,
    owner: LoggedIn,
    lang: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> RedirectResponse:
    """Kept on the user (not in a cookie), so it follows them to every device."""
    from followup.accounts import set_language

    context = request.app.state.followup
    with write_session(context.engine) as session:
        set_language(session, owner.user_id, lang)
    request.session["lang"] = lang
    return RedirectResponse(safe_next(next_path), status_code=303)
