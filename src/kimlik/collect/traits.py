"""Segment traits to Kimlik attributes: the spec's names mapped, everything else kept.

Segment's reserved traits (firstName, address.city, company.name ...) and RudderStack's
snake_case spellings land on canonical attributes; any other trait stays a custom
attribute, nested values as JSON text. The rows then go through the same cleaner as a
file import, so an SDK's email or phone is standardized exactly like a CRM export's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

_TOP = {
    "firstName": "first_name",
    "first_name": "first_name",
    "firstname": "first_name",
    "lastName": "last_name",
    "last_name": "last_name",
    "lastname": "last_name",
    "email": "email",
    "phone": "phone",
    "birthday": "birth_date",
    "birth_date": "birth_date",
    "title": "job_title",
    "job_title": "job_title",
    "gender": "gender",
    "createdAt": "signed_up_at",
    "created_at": "signed_up_at",
    "industry": "industry",
}
_ADDRESS = {
    "street": "street",
    "city": "city",
    "state": "region",
    "region": "region",
    "postalCode": "postal_code",
    "postal_code": "postal_code",
    "zip": "postal_code",
    "country": "country",
}
_COMPANY_TRAITS = {
    "name": "name",
    "industry": "industry",
    "employees": "size",
    "size": "size",
    "website": "domain",
    "domain": "domain",
    "country": "country",
}


def message_traits(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The traits a message carries: ``traits``, else ``context.traits`` (RudderStack)."""
    traits = payload.get("traits")
    if not isinstance(traits, dict) or not traits:
        context = payload.get("context")
        traits = context.get("traits") if isinstance(context, dict) else None
    return dict(traits) if isinstance(traits, dict) else {}


def person_row(traits: Mapping[str, Any]) -> dict[str, Any]:
    """A people row from identify traits."""
    row: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for name, value in traits.items():
        if value is None:
            continue
        if name in _TOP:
            row[_TOP[name]] = _scalar(value)
        elif name == "address" and isinstance(value, dict):
            for part, attribute in _ADDRESS.items():
                if value.get(part) is not None:
                    row[attribute] = _scalar(value[part])
        elif name == "company":
            company = value.get("name") if isinstance(value, dict) else value
            if company is not None:
                row["company"] = _scalar(company)
        elif name == "name":
            row.setdefault("full_name", _scalar(value))
        else:
            custom[f"trait_{name}" if name in _RESERVED else name] = _scalar(value)
    if "full_name" in row and ("first_name" in row or "last_name" in row):
        custom["name"] = row.pop("full_name")  # the parts win; the whole is kept
    return {**custom, **row}


def company_row(group_id: str, traits: Mapping[str, Any]) -> dict[str, Any]:
    """A companies row from a group call's traits."""
    row: dict[str, Any] = {"company_id": group_id}
    for name, value in traits.items():
        if value is None:
            continue
        key = _COMPANY_TRAITS.get(name, name if name not in _RESERVED else f"trait_{name}")
        row[key] = _scalar(value)
    return row


#: trait names that would collide with the row's own bookkeeping columns
_RESERVED = frozenset({"id", "user_id", "record_id", "company_id", "customer_id", "full_name"})


def _scalar(value: Any) -> Any:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value
