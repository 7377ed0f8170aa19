"""Uploaded files waiting for their import: private, size-limited and short-lived.

Each upload gets its own directory (mode 0700, named by a random token) under one root
that only the server's user can enter, outside the web root. Beside the file sits a
small JSON *draft*: who uploaded it, the source, kind and region chosen, and the mapping
choices made on the preview page. A directory goes away when its import finishes, or
after ``MAX_AGE`` if nobody runs it (swept whenever someone uploads).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from fastapi import HTTPException

from kimlik.config import Settings

#: File types the upload form takes (each also as ``.gz``); the command line takes more.
SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
#: Uploads nobody imported are removed after this long.
MAX_AGE = dt.timedelta(hours=24)
#: A run still going after this long is taken for dead and its upload swept.
MAX_RUN_AGE = dt.timedelta(days=7)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_DRAFT = "draft.json"
_RUNNING = "running"
_CHUNK = 1 << 20


class UploadError(Exception):
    """An upload the form refuses; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(slots=True)
class Draft:
    """An uploaded file and what the person chose for its import so far."""

    token: str
    owner: int | None
    file_name: str
    size: int
    source: str
    kind: str
    region: str | None = None
    encoding: str = "utf-8-sig"
    #: None until the person picks one on the preview page: the detected id column is used
    id_column: str | None = None
    id_chosen: bool = False
    #: header -> attribute (None: custom) once the person has adjusted the mapping
    choices: dict[str, str | None] | None = None
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def path(self, settings: Settings) -> Path:
        return upload_root(settings) / self.token / self.file_name


def upload_root(settings: Settings) -> Path:
    """The private directory holding every upload (made 0700, and checked to be ours)."""
    root = settings.upload_dir or Path(tempfile.gettempdir()) / f"kimlik-uploads-{os.getuid()}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = root.lstat()
    if root.is_symlink() or not root.is_dir() or info.st_uid != os.getuid():
        raise HTTPException(500, "the upload directory is not a private directory of this server")
    if info.st_mode & 0o077:
        root.chmod(0o700)
    return root


def safe_name(name: str) -> str:
    """The uploaded file's own name, made harmless as a file name (letters of any script,
    digits, ``.``, ``-``, ``_`` and spaces), or an ``UploadError`` naming the field."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    cleaned = re.sub(r"[^\w.\- ]", "_", base).lstrip(".")[-120:]
    lowered = cleaned.lower().removesuffix(".gz")
    if not cleaned:
        raise UploadError("file", "Choose a file to import.")
    if not lowered.endswith(SUFFIXES):
        raise UploadError(
            "file",
            f"“{base}” is not a CSV or JSON Lines file: use a file ending in "
            + ", ".join(SUFFIXES)
            + " (optionally compressed as .gz).",
        )
    return cleaned


def store_upload(settings: Settings, name: str, data: IO[bytes]) -> tuple[str, int]:
    """Copy an upload into a new private directory; its token and size.

    Stops at ``settings.upload_max_bytes``: a larger or an empty file leaves nothing behind.
    """
    file_name = safe_name(name)
    token = secrets.token_urlsafe(24)
    directory = upload_root(settings) / token
    directory.mkdir(mode=0o700)
    limit = settings.upload_max_bytes
    size = 0
    try:
        fd = os.open(directory / file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as target:
            while chunk := data.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadError(
                        "file", f"The file is larger than the limit of {describe_size(limit)}."
                    )
                target.write(chunk)
        if size == 0:
            raise UploadError("file", "The file is empty.")
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return token, size


def describe_size(size: int) -> str:
    """Bytes as people read them: 200 MB, 64 KB, 512 bytes."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            amount = size / scale
            return f"{amount:.0f} {unit}" if amount >= 10 else f"{amount:.1f} {unit}"
    return f"{size} bytes"


def save_draft(settings: Settings, draft: Draft) -> None:
    path = upload_root(settings) / draft.token / _DRAFT
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(orjson.dumps(asdict(draft)))
    temporary.chmod(0o600)
    temporary.replace(path)


def load_draft(settings: Settings, token: str, owner: int | None) -> Draft:
    """The draft of upload ``token`` if ``owner`` made it; otherwise not found."""
    missing = HTTPException(
        404, "This upload is gone: it was imported or is more than a day old. Upload it again."
    )
    if not _TOKEN.match(token):
        raise missing
    path = upload_root(settings) / token / _DRAFT
    try:
        data: dict[str, Any] = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        raise missing from None
    draft = Draft(**data)
    if draft.owner != owner or is_running(settings, token):
        raise missing
    return draft


def mark_running(settings: Settings, token: str) -> None:
    (upload_root(settings) / token / _RUNNING).touch(mode=0o600)


def is_running(settings: Settings, token: str) -> bool:
    return (upload_root(settings) / token / _RUNNING).exists()


def discard(settings: Settings, token: str) -> None:
    """Remove an upload and its draft."""
    if _TOKEN.match(token):
        shutil.rmtree(upload_root(settings) / token, ignore_errors=True)


def sweep(settings: Settings, now: float | None = None) -> int:
    """Remove uploads older than ``MAX_AGE`` (runs older than ``MAX_RUN_AGE``); how many."""
    now = time.time() if now is None else now
    removed = 0
    for directory in upload_root(settings).iterdir():
        if not _TOKEN.match(directory.name) or not directory.is_dir():
            continue
        running = (directory / _RUNNING).exists()
        limit = (MAX_RUN_AGE if running else MAX_AGE).total_seconds()
        try:
            age = now - directory.stat().st_mtime
        except OSError:
            continue
        if age > limit:
            shutil.rmtree(directory, ignore_errors=True)
            removed += 1
    return removed
