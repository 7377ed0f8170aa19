"""Masking personal data for callers without ``profiles.personal``, in one place.

Every answer that shows people goes through a ``Masker`` just before it leaves: search
summaries, the profile view, timeline entries, review items, decisions and the outcome
of an identity request. What counts as personal:

- the canonical attributes of ``PERSONAL_FIELDS`` (and the display ``name`` built from
  them) wherever they appear: golden values, member records, record summaries;
- a person record's id in its source (``crm:C-1001``): it is the ``customer_id``
  identity, and ``PERSONAL_IDENTITIES`` says such an id is as good as a name;
- identity values of ``PERSONAL_IDENTITIES`` kinds;
- every custom attribute value (an unknown column may hold a national id or a second
  phone: we cannot tell, so none is shown);
- in tracked events, every trait (identify and group traits describe the person) and
  each property whose name says it holds a name, email, phone, birth date or address;
- a consent's record id (without an id of its own, a consent is keyed by the person's
  customer id, email and phone), and any timeline text that holds an email address (a
  survey comment, an event property, another record id).

Masked values read ``MASK`` (``null`` stays ``null``), so a client still sees that a
value exists. Callers holding ``profiles.personal`` get the data untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kimlik.access.permissions import PERSONAL_FIELDS, PERSONAL_IDENTITIES, mask
from kimlik.access.principal import Principal

#: Display fields built from personal attributes.
_DERIVED = frozenset({"name", "label"})
#: Event property names (folded: lower case, letters and digits only) that hold a person.
_PERSONAL_KEYS = frozenset(
    {"name", "firstname", "lastname", "fullname", "surname", "givenname", "familyname",
     "username", "dob", "zip", "userid", "anonymousid", "customerid"}
)  # fmt: skip
_PERSONAL_KEY_PARTS = ("email", "phone", "mobile", "birth", "address", "street", "postal")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


class Masker:
    """Masks what ``principal`` may not see; a no-op for callers who may see it all."""

    def __init__(self, principal: Principal) -> None:
        self.active = not principal.sees_personal

    def summary(self, item: dict[str, Any]) -> dict[str, Any]:
        """A search result or record summary: personal attributes and the name."""
        if not self.active:
            return item
        return {
            key: mask(value) if key in PERSONAL_FIELDS or key in _DERIVED else value
            for key, value in item.items()
        }

    def record(self, item: dict[str, Any]) -> dict[str, Any]:
        """A person record summary (review, decisions, outcomes): also its source id."""
        if not self.active:
            return item
        masked = self.summary(item)
        masked["record_id"] = mask(item.get("record_id"))
        return masked

    def profile(self, view: dict[str, Any]) -> dict[str, Any]:
        """The profile view of ``ProfileView.to_json`` (timeline included, if any)."""
        if not self.active:
            return view
        masked = dict(view)
        masked["name"] = mask(view.get("name"))
        masked["golden"] = [
            {
                **golden,
                "value": mask(golden["value"])
                if golden["name"] in PERSONAL_FIELDS
                else golden["value"],
                "record_id": mask(golden.get("record_id")),
            }
            for golden in view.get("golden", [])
        ]
        masked["identities"] = [self.identity(i) for i in view.get("identities", [])]
        masked["members"] = [self._member(m) for m in view.get("members", [])]
        if "timeline" in view:
            masked["timeline"] = [self.entry(e) for e in view["timeline"]]
        return masked

    def identity(self, identity: dict[str, Any]) -> dict[str, Any]:
        if not self.active or identity.get("kind") not in PERSONAL_IDENTITIES:
            return identity
        return {**identity, "value": mask(identity.get("value"))}

    def entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A timeline entry: event traits and personal properties, emails in texts."""
        if not self.active:
            return entry
        details = dict(entry.get("details") or {})
        if "traits" in details:
            details["traits"] = {key: mask(v) for key, v in details["traits"].items()}
        if isinstance(details.get("properties"), Mapping):
            details["properties"] = {
                key: mask(v) if _personal_key(key) else _no_email(v)
                for key, v in details["properties"].items()
            }
        details = {key: _no_email(value) for key, value in details.items()}
        # a consent without an id of its own is keyed by the person's email and phone
        record_id = entry.get("record_id")
        record_id = mask(record_id) if entry.get("kind") == "consent" else _no_email(record_id)
        return {**entry, "record_id": record_id, "details": details}

    def _member(self, member: dict[str, Any]) -> dict[str, Any]:
        attributes = member.get("attributes") or {}
        return {
            **member,
            "record_id": mask(member.get("record_id")),
            "attributes": {
                key: mask(value) if key in PERSONAL_FIELDS else value
                for key, value in attributes.items()
            },
            "custom": {key: mask(value) for key, value in (member.get("custom") or {}).items()},
        }


def _personal_key(key: str) -> bool:
    folded = "".join(ch for ch in key.lower() if ch.isalnum())
    return folded in _PERSONAL_KEYS or any(part in folded for part in _PERSONAL_KEY_PARTS)


def _no_email(value: Any) -> Any:
    return mask(value) if isinstance(value, str) and _EMAIL.search(value) else value


def masked_tree(value: Any) -> Any:
    """``value`` with every leaf masked and its shape kept: which keys were sent shows,
    what they held does not."""
    if isinstance(value, dict):
        return {key: masked_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_tree(item) for item in value]
    return mask(value)


def masked_reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rejection reasons without the values they quote."""
    return [{**reason, "value": mask(reason.get("value"))} for reason in reasons]
