"""Record kinds as data: which attributes each has, how each is standardized, what is required.

The importer is generic over ``KindSpec``; adding a kind means adding a spec here,
a table in ``store/tables.py`` and a migration, not another import path.
Field order matters: ``country`` comes before ``phone`` and ``postal_code`` because
those read the row's country.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kimlik.errors import UnknownKindError
from kimlik.ingest.context import RowContext
from kimlik.standardize import picklists
from kimlik.standardize.countries import standardize_country
from kimlik.standardize.dates import standardize_birth_date, standardize_datetime
from kimlik.standardize.email import email_matching_key, standardize_email
from kimlik.standardize.names import standardize_name
from kimlik.standardize.numbers import (
    standardize_currency,
    standardize_decimal,
    standardize_int,
    standardize_score,
)
from kimlik.standardize.phone import standardize_phone
from kimlik.standardize.postal import standardize_postal_code
from kimlik.standardize.result import Standardized
from kimlik.standardize.text import normalize_text

Parser = Callable[[str, RowContext], Standardized[Any]]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One canonical attribute: how to standardize it and where it is stored."""

    name: str
    parse: Parser
    column: str = ""
    required: bool = False
    #: the row's country (parsed earlier) changes the result: phone and postal code
    reads_country: bool = False
    #: this field *is* the row's country, which later fields read
    sets_country: bool = False
    #: worth remembering per distinct text (names, cities, picklists repeat; emails do not)
    memo: bool = True

    @property
    def target(self) -> str:
        """The table column the value lands in."""
        return self.column or self.name


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Everything the importer needs to know about one record kind."""

    name: str
    fields: tuple[FieldSpec, ...]
    #: attributes that together identify a record within its source
    id_attributes: tuple[str, ...]
    #: groups of attributes of which at least one must hold a valid value
    required_any: tuple[tuple[str, ...], ...] = ()
    #: carries customer_id / email / phone pointing at a person
    linked_to_person: bool = False

    @property
    def attributes(self) -> frozenset[str]:
        """Every attribute name a file or mapping may use for this kind."""
        names = {spec.name for spec in self.fields} | set(self.id_attributes)
        return frozenset(names | ({"full_name"} if self.name == "people" else set()))

    def field(self, name: str) -> FieldSpec | None:
        """The spec of attribute ``name``, if it is a stored field."""
        return _FIELD_INDEX[self.name].get(name)


# --- parsers: adapt the pure standardizers to (text, row context) -------------------------


def _text(text: str, _ctx: RowContext) -> Standardized[str]:
    return Standardized(normalize_text(text))


def _name(text: str, _ctx: RowContext) -> Standardized[str]:
    return standardize_name(text)


def _email(text: str, _ctx: RowContext) -> Standardized[str]:
    return standardize_email(text)


def _email_key(text: str, _ctx: RowContext) -> Standardized[str]:
    result = standardize_email(text)
    if result.value is None:
        return result
    return Standardized(email_matching_key(result.value), result.issues)


def _phone(text: str, ctx: RowContext) -> Standardized[str]:
    return standardize_phone(text, ctx.phone_region)


def _country(text: str, _ctx: RowContext) -> Standardized[str]:
    return standardize_country(text)


def _postal(text: str, ctx: RowContext) -> Standardized[str]:
    return standardize_postal_code(text, ctx.country or ctx.region)


def _birth_date(text: str, ctx: RowContext) -> Standardized[Any]:
    return standardize_birth_date(text, ctx.date_order, ctx.today)


def _moment(text: str, ctx: RowContext) -> Standardized[Any]:
    return standardize_datetime(text, ctx.date_order)


def _decimal(text: str, _ctx: RowContext) -> Standardized[Any]:
    return standardize_decimal(text)


def _positive_int(text: str, _ctx: RowContext) -> Standardized[int]:
    return standardize_int(text)


def _currency(text: str, _ctx: RowContext) -> Standardized[str]:
    return standardize_currency(text)


def _score(text: str, _ctx: RowContext) -> Standardized[int]:
    return standardize_score(text)


def _picklist(attribute: str, builtin: Mapping[str, str], *, closed: bool) -> Parser:
    """A picklist parser: the mapping file's ``values`` extend the built-in vocabulary."""

    merged: dict[int, tuple[Mapping[str, str], Mapping[str, str]]] = {}

    def parse(text: str, ctx: RowContext) -> Standardized[str]:
        extra = ctx.vocabularies.get(attribute)
        vocabulary = builtin
        if extra:
            # Merge once per mapping, not once per row (the extra mapping is kept alive
            # alongside its merge so its id cannot be reused).
            cached = merged.get(id(extra))
            if cached is None or cached[0] is not extra:
                cached = merged[id(extra)] = (extra, {**builtin, **extra})
            vocabulary = cached[1]
        return picklists.fold_value(text, vocabulary, closed=closed, attribute=attribute)

    return parse


def _open_picklist(attribute: str) -> Parser:
    return _picklist(attribute, {}, closed=False)


_CUSTOMER_REFERENCE = (
    FieldSpec("customer_id", _text, memo=False),
    FieldSpec("email", _email_key, column="customer_email_key", memo=False),
    FieldSpec("phone", _phone, column="customer_phone", reads_country=True, memo=False),
)
_ANY_CUSTOMER = (("customer_id", "email", "phone"),)

PEOPLE = KindSpec(
    name="people",
    id_attributes=("record_id",),
    required_any=(("first_name", "last_name", "email", "phone"),),
    fields=(
        FieldSpec("country", _country, sets_country=True),
        FieldSpec("first_name", _name),
        FieldSpec("last_name", _name),
        FieldSpec("email", _email, memo=False),
        FieldSpec("phone", _phone, reads_country=True, memo=False),
        FieldSpec("birth_date", _birth_date),
        FieldSpec("street", _text, memo=False),
        FieldSpec("city", _text),  # not _name: "Bay City" must keep its "Bay"
        FieldSpec("region", _text),
        FieldSpec("postal_code", _postal, reads_country=True),
        FieldSpec("company", _text),
        FieldSpec("job_title", _text),
        FieldSpec("industry", _picklist("industry", picklists.INDUSTRY, closed=False)),
        FieldSpec("gender", _picklist("gender", picklists.GENDER, closed=True)),
        FieldSpec(
            "marital_status", _picklist("marital_status", picklists.MARITAL_STATUS, closed=True)
        ),
        FieldSpec("education", _picklist("education", picklists.EDUCATION, closed=False)),
        FieldSpec("annual_income", _decimal),
        FieldSpec("signed_up_at", _moment, memo=False),
    ),
)

COMPANIES = KindSpec(
    name="companies",
    id_attributes=("company_id",),
    required_any=(("name", "domain"),),
    fields=(
        FieldSpec("country", _country, sets_country=True),
        FieldSpec("name", _text),
        FieldSpec("domain", _text),
        FieldSpec("industry", _picklist("industry", picklists.INDUSTRY, closed=False)),
        FieldSpec("size", _text),
    ),
)

ORDERS = KindSpec(
    name="orders",
    id_attributes=("order_id",),
    required_any=_ANY_CUSTOMER,
    linked_to_person=True,
    fields=(
        *_CUSTOMER_REFERENCE,
        FieldSpec("ordered_at", _moment, required=True, memo=False),
        FieldSpec("total", _decimal, required=True),
        FieldSpec("currency", _currency),
        FieldSpec("status", _open_picklist("status")),
        FieldSpec("channel", _open_picklist("channel")),
    ),
)

ORDER_ITEMS = KindSpec(
    name="order_items",
    id_attributes=("order_id", "sku", "product_name"),
    required_any=(("sku", "product_name"),),
    fields=(
        FieldSpec("order_id", _text, required=True),
        FieldSpec("sku", _text),
        FieldSpec("product_name", _text),
        FieldSpec("quantity", _positive_int),
        FieldSpec("unit_price", _decimal),
    ),
)

INTERACTIONS = KindSpec(
    name="interactions",
    id_attributes=("interaction_id",),
    required_any=_ANY_CUSTOMER,
    linked_to_person=True,
    fields=(
        *_CUSTOMER_REFERENCE,
        FieldSpec("channel", _open_picklist("channel")),
        FieldSpec("occurred_at", _moment, required=True, memo=False),
        FieldSpec("department", _text),
        FieldSpec("agent", _text),
        FieldSpec("reason", _text),
        FieldSpec("outcome", _text),
    ),
)

FEEDBACK = KindSpec(
    name="feedback",
    id_attributes=("response_id",),
    required_any=_ANY_CUSTOMER,
    linked_to_person=True,
    fields=(
        *_CUSTOMER_REFERENCE,
        FieldSpec("survey", _text),
        FieldSpec("question", _text),
        FieldSpec("score", _score),
        FieldSpec("comment", _text, memo=False),
        FieldSpec("answered_at", _moment, memo=False),
    ),
)

CONSENTS = KindSpec(
    name="consents",
    id_attributes=("customer_id", "email", "phone", "purpose", "channel", "recorded_at"),
    required_any=_ANY_CUSTOMER,
    linked_to_person=True,
    fields=(
        *_CUSTOMER_REFERENCE,
        FieldSpec("purpose", _open_picklist("purpose"), required=True),
        FieldSpec("channel", _open_picklist("channel")),
        FieldSpec(
            "status",
            _picklist("status", picklists.CONSENT_STATUS, closed=True),
            required=True,
        ),
        FieldSpec("recorded_at", _moment, required=True, memo=False),
    ),
)

KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (PEOPLE, COMPANIES, ORDERS, ORDER_ITEMS, INTERACTIONS, FEEDBACK, CONSENTS)
}
_FIELD_INDEX = {kind.name: {f.name: f for f in kind.fields} for kind in KINDS.values()}


def kind_spec(name: str) -> KindSpec:
    """The spec of kind ``name``; an unknown name is an UnknownKindError listing the choices."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKindError(
            f"unknown kind {name!r}; choose one of: {', '.join(KINDS)}"
        ) from None
