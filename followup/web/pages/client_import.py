"""Importing clients from a CSV file on the Clients page: the same import as
``followup clients import`` (``spreadsheets.clients.import_clients``: encodings,
delimiters, English or Spanish headers, saved every 1,000 rows), a dry run, and the same
report as the CLI: each rejected row by row and column, what was added, updated and left
unchanged, and the encoding the file was read in.

The upload's progress shows in a ``<progress>`` bar (``static/upload.js``, on htmx's
``htmx:xhr:progress``); without JavaScript the form posts normally and the report is the
page that comes back. A file over ``MAX_UPLOAD_BYTES`` is refused with the limit said.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from followup.errors import FollowupError
from followup.spreadsheets.reports import ImportReport
from followup.web.auth import LoggedIn
from followup.web.i18n import gettext
from followup.web.layout import render
from followup.web.pages import page_router
from followup.web.pages.import_words import problem_words

router = page_router()

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
_BLOCK = 1 << 20


class TooLarge(Exception):
    pass


@router.get("/clients/import")
def import_form(request: Request, owner: LoggedIn) -> HTMLResponse:
    return _page(request, None, {}, dry_run=False)


@router.post("/clients/import")
async def import_file(request: Request, owner: LoggedIn) -> HTMLResponse:
    from followup.spreadsheets.clients import import_clients

    context = request.app.state.followup
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + _BLOCK:
        return _too_large(request)
    form = await request.form()
    upload = form.get("file")
    dry_run = form.get("dry_run") == "yes"
    if not isinstance(upload, UploadFile) or not upload.filename:
        choose = gettext(owner.language, "Choose the CSV file to import.")
        return _page(request, None, {"file": choose}, dry_run=dry_run, status_code=422)
    with tempfile.TemporaryDirectory(prefix="followup-import-") as folder:
        path = Path(folder) / "clients.csv"
        try:
            await _save(upload, path)
        except TooLarge:
            return _too_large(request)
        try:
            report = import_clients(
                context.engine, owner.business_id, path, context.clock(), dry_run=dry_run
            )
        except FollowupError as exc:
            # The file as a whole cannot be used (empty, not text, a column missing, cut
            # inside a quoted cell): nothing of it was imported, as the CLI says.
            message = f"{upload.filename}: {exc.message}"
            return _page(request, None, {"file": message}, dry_run=dry_run, status_code=422)
    return _page(request, report, {}, dry_run=dry_run, filename=upload.filename)


async def _save(upload: UploadFile, path: Path) -> None:
    """The upload on disk (the import reads a file twice, never whole), at most
    ``MAX_UPLOAD_BYTES`` of it."""
    size = 0
    with path.open("wb") as out:
        while block := await upload.read(_BLOCK):
            size += len(block)
            if size > MAX_UPLOAD_BYTES:
                raise TooLarge
            out.write(block)
    await upload.close()


def _too_large(request: Request) -> HTMLResponse:
    owner = request.state.owner
    message = gettext(
        owner.language, "The file is larger than %(limit)s MB. Split it into smaller files "
        "(the import matches clients again, so nothing is doubled) and import each one.",
    ) % {"limit": MAX_UPLOAD_MB}
    return _page(request, None, {"file": message}, dry_run=False, status_code=413)


def _page(
    request: Request,
    report: ImportReport | None,
    errors: dict[str, str],
    *,
    dry_run: bool,
    filename: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "report": report, "errors": errors, "dry_run": dry_run, "filename": filename,
        "limit_mb": MAX_UPLOAD_MB, "problem_words": problem_words,
    }  # fmt: skip
    if request.headers.get("HX-Request"):
        # htmx swaps only a 2xx answer: the refusal is said in the same place as a report.
        return render(request, "clients/import_result.html", values)
    return render(request, "clients/import.html", values, status_code=status_code)
