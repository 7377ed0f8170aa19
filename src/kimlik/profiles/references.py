"""How a typed profile reference is read: a profile id, an email, a phone or a record.

People type what they have at hand; the reading is explicit (``Reference.kind``) so the
lookup and its error messages say how the text was understood.
"""

from __future__ import annotations

from dataclasses import dataclass

from kimlik.standardize.email import standardize_email
from kimlik.standardize.phone import standardize_phone


@dataclass(frozen=True, slots=True)
class Reference:
    """How a typed reference is read: ``kind`` is id, email, phone, record or unknown."""

    kind: str
    value: str
    source: str = ""  # for kind "record"

    def describe(self) -> str:
        template = _DESCRIPTIONS.get(self.kind, _UNKNOWN)
        return template.format(value=self.value, source=self.source)


_DESCRIPTIONS = {
    "id": "profile id {value}",
    "email": "email {value}",
    "phone": "phone {value}",
    "record": "record {value!r} of source {source!r}",
}
_UNKNOWN = "not an id, email, phone (+country code) or source:record_id"


def parse_reference(text: str) -> Reference:
    """Read ``text`` as a profile id, email, ``source:record_id`` or phone."""
    ref = text.strip()
    if ref.isdigit():
        return Reference("id", str(int(ref)))
    if "@" in ref:
        email = standardize_email(ref).value or ref
        return Reference("email", email)
    source, colon, record_id = ref.partition(":")
    if colon and source.strip() and record_id.strip():
        return Reference("record", record_id.strip(), source.strip().lower())
    phone = standardize_phone(ref, None).value
    return Reference("phone", phone) if phone else Reference("unknown", ref)
