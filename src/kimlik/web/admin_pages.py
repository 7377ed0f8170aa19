"""The admin pages: sources and write keys, users and API keys, the audit log.

Each lives in its own module; this router gathers them for ``web/setup.py``.
"""

from __future__ import annotations

from fastapi import APIRouter

from kimlik.web import admin_audit, admin_sources, admin_users

router = APIRouter(include_in_schema=False)
router.include_router(admin_sources.router)
router.include_router(admin_users.router)
router.include_router(admin_audit.router)
