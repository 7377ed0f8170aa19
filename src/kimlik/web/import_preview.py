"""Importing a file from the browser: upload it, check the mapping on its first rows, run it.

The upload waits in a private directory (``import_uploads``); the preview runs the
import's own cleaner on the first rows (``ingest.preview``), so what it shows is what the
import will do. Running writes the person's choices as a mapping file beside the upload
and hands both to ``import_file`` on a thread (``import_jobs``), exactly as
``kimlik import FILE --mapping mapping.json`` would.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from kimlik.access.permissions import Permission
from kimlik.errors import IngestError, MappingError
from kimlik.ingest.kinds import KINDS, kind_spec
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.preview import Preview, build_mapping, preview_rows, read_first_rows
from kimlik.ingest.service import ImportRequest
from kimlik.sources.repository import check_source_name, source_names
from kimlik.web import import_uploads as uploads
from kimlik.web.import_jobs import jobs
from kimlik.web.session import Page, page
from kimlik.web.templating import render

router = APIRouter(include_in_schema=False)
Runner = Annotated[Page, Depends(page(Permission.IMPORTS_RUN))]
Token = Annotated[str, PathParam(max_length=64)]
#: Encodings offered on the form (the command line takes any).
ENCODINGS = (
    ("utf-8-sig", "UTF-8"),
    ("cp1254", "Windows Turkish (cp1254)"),
    ("iso-8859-9", "ISO Turkish (ISO-8859-9)"),
    ("cp1252", "Windows Western (cp1252)"),
)
#: Room for the form's other fields and multipart framing around the file.
FORM_OVERHEAD = 64 << 10
#: How long the run button waits for the import to record its run before moving on.
START_WAIT_SECONDS = 20
_NEW_SOURCE = ""


def size_guard(request: Request) -> None:
    """Refuse a body far over the limit before anything reads it (runs before ``page``,
    whose CSRF check parses the form and so would spool the whole upload to disk)."""
    limit = request.app.state.kimlik.settings.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared is None and request.headers.get("transfer-encoding"):
        raise HTTPException(411, "Send the file with a Content-Length, as a browser does.")
    if declared is not None and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise HTTPException(
            413,
            f"The file is larger than the limit of {uploads.describe_size(limit)}. "
            "Split it, or import it with the kimlik import command.",
        )


@router.get("/imports/new")
def new_import(current: Runner) -> Response:
    return _form(current, {"kind": "people", "encoding": "utf-8-sig"}, {})


@router.post("/imports/new")
async def upload(_size: Annotated[None, Depends(size_guard)], current: Runner) -> Response:
    form = await current.request.form()
    try:
        return await _upload(current, form)
    finally:
        await form.close()  # removes the spooled copy of the upload


async def _upload(current: Page, form: FormData) -> Response:
    values = {name: _field(form, name) for name in ("source", "new_source", "kind", "region")}
    values["encoding"] = _field(form, "encoding") or "utf-8-sig"
    errors = _check_fields(values)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        errors["file"] = "Choose a file to import."
    if errors or not isinstance(file, UploadFile):
        return _form(current, values, errors, 422)
    return await run_in_threadpool(_store, current, values, file)


def _store(current: Page, values: dict[str, str], file: UploadFile) -> Response:
    settings = current.state.settings
    uploads.sweep(settings)
    try:
        token, size = uploads.store_upload(settings, file.filename or "", file.file)
    except uploads.UploadError as exc:
        return _form(current, values, {exc.field: exc.message}, 422)
    draft = uploads.Draft(
        token=token,
        owner=current.principal.id,
        file_name=uploads.safe_name(file.filename or ""),
        size=size,
        source=check_source_name(values["source"] or values["new_source"]),
        kind=values["kind"],
        region=values["region"].upper() or None,
        encoding=values["encoding"],
    )
    try:
        headers, _rows = read_first_rows(draft.path(settings), Mapping(encoding=draft.encoding))
    except IngestError as exc:
        uploads.discard(settings, token)
        return _form(current, values, {"file": _file_message(exc)}, 422)
    if not headers:
        uploads.discard(settings, token)
        message = "The file has no header row and no JSON objects in its first lines."
        return _form(current, values, {"file": message}, 422)
    uploads.save_draft(settings, draft)
    return RedirectResponse(f"/imports/uploads/{token}", status_code=303)


@router.get("/imports/uploads/{token}")
def preview_page(current: Runner, token: Token) -> Response:
    draft = uploads.load_draft(current.state.settings, token, current.principal.id)
    return _preview_page(current, draft)


@router.post("/imports/uploads/{token}")
async def adjust(current: Runner, token: Token) -> Response:
    """Preview again with the person's choices, run the import, or drop the upload."""
    settings = current.state.settings
    draft = uploads.load_draft(settings, token, current.principal.id)
    form = await current.request.form()
    await form.close()
    action = _field(form, "action")
    if action == "discard":
        uploads.discard(settings, token)
        return RedirectResponse("/imports", status_code=303)
    _apply_choices(draft, form)
    uploads.save_draft(settings, draft)
    if action != "run":
        return RedirectResponse(f"/imports/uploads/{token}", status_code=303)
    return await run_in_threadpool(_run, current, draft)


def _run(current: Page, draft: uploads.Draft) -> Response:
    settings = current.state.settings
    preview, problem = _previewed(current, draft)
    if preview is None or preview.refusals:
        why = problem or " ".join(preview.refusals if preview else ())
        return _preview_page(current, draft, f"The import would refuse this file: {why}", 422)
    mapping = _mapping(draft, preview.headers)
    mapping_path = draft.path(settings).with_name("mapping.json")
    mapping_path.write_text(mapping.model_dump_json(exclude_defaults=True), encoding="utf-8")
    request = ImportRequest(
        path=draft.path(settings), source=draft.source, kind=draft.kind, mapping_path=mapping_path
    )
    job = jobs(current.request).start(current.state.engine, settings, request, draft.token)
    job.started.wait(START_WAIT_SECONDS)
    if job.run_id is not None:
        return RedirectResponse(f"/imports/{job.run_id}", status_code=303)
    if job.error is not None:
        context = current.context(
            "Import could not start",
            status=422,
            message=f"The import could not start: {job.error}. Upload the file again.",
        )
        return render("error.html", context, 422)
    return RedirectResponse("/imports", status_code=303)


def _apply_choices(draft: uploads.Draft, form: FormData) -> None:
    """Keep what the form says: region, id column and each column's attribute."""
    draft.region = _field(form, "region").upper() or None
    kind = kind_spec(draft.kind)
    columns = [_field(form, f"header-{i}", 1000) for i in range(_count(form))]
    if len(kind.id_attributes) == 1 and "id_column" in form:
        draft.id_column = _field(form, "id_column", 1000) or None
        draft.id_chosen = True
    allowed = kind.attributes
    choices: dict[str, str | None] = {}
    for index, header in enumerate(columns):
        if not header or header == draft.id_column:
            continue
        chosen = _field(form, f"column-{index}")
        choices[header] = chosen if chosen in allowed else None
    draft.choices = choices


def _count(form: FormData) -> int:
    text = _field(form, "columns")
    return min(int(text), 1000) if text.isdigit() else 0


def _mapping(draft: uploads.Draft, headers: tuple[str, ...]) -> Mapping:
    return build_mapping(
        kind_spec(draft.kind),
        headers,
        choices=draft.choices,
        id_column=draft.id_column if draft.id_chosen else None,
        region=draft.region,
        encoding=draft.encoding,
    )


def _previewed(current: Page, draft: uploads.Draft) -> tuple[Preview | None, str | None]:
    """The preview for the draft's choices, or why there is none."""
    settings = current.state.settings
    try:
        headers, rows = read_first_rows(draft.path(settings), Mapping(encoding=draft.encoding))
    except IngestError as exc:
        return None, _file_message(exc)
    try:
        mapping = _mapping(draft, headers)
        preview = preview_rows(
            kind_spec(draft.kind),
            mapping,
            headers,
            rows,
            today=dt.datetime.now(dt.UTC).date(),
            identifiers=tuple(settings.resolve_identifiers),
        )
    except MappingError as exc:
        return None, str(exc)
    return preview, None


def _preview_page(
    current: Page, draft: uploads.Draft, error: str | None = None, status: int = 200
) -> Response:
    preview, problem = _previewed(current, draft)
    kind = kind_spec(draft.kind)
    single_id = len(kind.id_attributes) == 1
    id_attribute = kind.id_attributes[0] if single_id else None
    options = [a for a in _attribute_order(draft.kind) if a != id_attribute]
    if preview is not None:
        id_column = preview.id_column
        columns = [(c.header, c.attribute, c.detected) for c in preview.columns]
    else:
        id_column = draft.id_column
        try:
            headers, _ = read_first_rows(
                draft.path(current.state.settings), Mapping(encoding=draft.encoding)
            )
        except IngestError:
            headers = ()
        chosen = draft.choices or {}
        columns = [(h, chosen.get(h), None) for h in headers]
    context = current.context(
        f"Check {draft.file_name}",
        draft=draft,
        preview=preview,
        problem=problem,
        error=error,
        single_id=single_id,
        id_attribute=id_attribute,
        id_column=id_column,
        columns=columns,
        options=options,
        id_attributes=kind.id_attributes,
        size=uploads.describe_size(draft.size),
        label=label,
    )
    return render("import_preview.html", context, status)


def _form(
    current: Page, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    with current.state.engine.connect() as connection:
        names = source_names(connection)
    limit = uploads.describe_size(current.state.settings.upload_max_bytes)
    context = current.context(
        "Import a file",
        values=values,
        errors=errors,
        sources=names,
        kinds=list(KINDS),
        encodings=ENCODINGS,
        limit=limit,
        suffixes=", ".join(uploads.SUFFIXES),
    )
    return render("import_new.html", context, status)


def _check_fields(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = values["source"] or values["new_source"]
    if not name:
        errors["source"] = "Choose the source the file comes from, or name a new one."
    else:
        try:
            check_source_name(name)
        except IngestError:
            field = "source" if values["source"] else "new_source"
            errors[field] = (
                f"“{name}” cannot be a source name: use up to 64 letters, digits, '.', '_' or "
                "'-', starting with a letter or digit (e.g. pos or web-shop)."
            )
    if values["kind"] not in KINDS:
        errors["kind"] = "Choose what the file holds."
    if values["encoding"] not in dict(ENCODINGS):
        errors["encoding"] = "Choose one of the listed encodings."
    if values["region"]:
        try:
            Mapping().merged(region=values["region"])
        except MappingError:
            errors["region"] = (
                f"“{values['region']}” is not a country code: use two letters such as TR or GB."
            )
    return errors


def _file_message(exc: IngestError) -> str:
    text = str(exc)
    if "not valid" in text and "text" in text:
        return (
            "The file is not readable in the chosen encoding. Choose its encoding "
            "(files saved by Excel in Turkey are often Windows Turkish)."
        )
    if "empty file" in text:
        return "The file is empty: it has no header row."
    return f"The file cannot be read: {text}"


def _field(form: FormData, name: str, limit: int = 200) -> str:
    """A text field of the form, trimmed and capped (a header may be long: 1,000)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _attribute_order(kind: str) -> list[str]:
    """A kind's attributes as a person looks for them: the schema's field order."""
    spec = kind_spec(kind)
    names = [*spec.id_attributes, *(f.name for f in spec.fields)]
    if kind == "people":
        names.insert(names.index("first_name"), "full_name")
    return list(dict.fromkeys(names))


def label(attribute: str | None) -> str:
    """An attribute as the page names it."""
    if attribute is None:
        return "kept as custom attribute"
    if attribute == "record_id":
        return "record id"
    if attribute == "full_name":
        return "full name (split into first and last)"
    return attribute.replace("_", " ")
