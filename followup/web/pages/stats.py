"""Stats / Estadísticas: letters sent per week by kind (an SVG chart drawn on the server,
and the same figures in a table for screen readers; with none sent yet, one sentence
saying what fills them instead of empty axes), and what service recovery achieved
(``followup report``: replies, clients recovered and those who bought again, guarantees,
incidents), counted from a ``since`` day or over all time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from followup.businesses import get_business
from followup.calendar import local_today
from followup.db import read_session
from followup.models import ApprovalMode
from followup.services import report
from followup.services.stats import KINDS, letters_per_week
from followup.web.auth import LoggedIn
from followup.web.i18n import gettext
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.stats_chart import chart
from followup.web.pages.wording import KIND_LABELS

router = page_router()
WEEKS_SHOWN = 12  # without ``since``
WEEKS_AT_MOST = 52


@router.get("/stats")
def stats(
    request: Request,
    owner: LoggedIn,
    since: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    context = request.app.state.followup
    language = owner.language
    day: date | None = None
    error = None
    if since and since.strip():
        try:
            day = date.fromisoformat(since.strip())
        except ValueError:
            error = gettext(language, "Write a day such as 2026-01-31, or leave it empty.")
    with read_session(context.engine) as session:
        business = get_business(session, owner.business_id)
        today = local_today(business, context.clock())
        if day is not None and day > today:
            error = gettext(language, "That day has not come yet: choose one up to today.")
            day = None
        first = day or today - timedelta(weeks=WEEKS_SHOWN - 1)
        first = max(first, today - timedelta(weeks=WEEKS_AT_MOST - 1))
        weeks = letters_per_week(session, owner.business_id, first, today)
        figures = report(session, owner.business_id, day)
        automatic = business.approval_mode == ApprovalMode.auto
    return render(
        request,
        "stats.html",
        {
            "weeks": weeks,
            "chart": chart(weeks, language),
            "automatic": automatic,
            "kinds": [(kind, KIND_LABELS[kind]) for kind in KINDS],
            "report": figures,
            "since": day,
            "typed": since or "",
            "error": error,
        },
        status_code=422 if error else 200,
    )
