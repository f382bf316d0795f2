"""Today / Hoy: the day's letters (a placeholder until the Today page is built)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from followup.web.auth import LoggedIn
from followup.web.layout import render
from followup.web.pages import page_router

router = page_router()


@router.get("/")
def today(request: Request, owner: LoggedIn) -> HTMLResponse:
    clock = request.app.state.followup.clock
    return render(request, "today.html", {"today": clock().date()})
