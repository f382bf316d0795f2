"""``/docs``: the API's documentation (Swagger UI, vendored in ``static/swagger`` from
npm's swagger-ui-dist: no CDN), started by ``static/docs.js`` rather than FastAPI's
inline script, so the page works under the Content-Security-Policy (``security``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>followup API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<script src="/static/swagger/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
