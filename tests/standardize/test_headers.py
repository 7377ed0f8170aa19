"""Cases for column headers in English and Turkish, per record kind."""

from __future__ import annotations

import pytest

from kimlik.standardize.headers import _SYNONYMS, KNOWN_ATTRIBUTES, canonical_header
from kimlik.standardize.text import fold_key

PEOPLE = {
    "record_id": ["id", "ID", "Customer ID", "Customer No", "Customer Number", "Contact ID",
                  "Client ID", "Müşteri No", "Müşteri Numarası", "Müşteri ID", "Kayıt No"],
    "first_name": ["First Name", "firstname", "first", "given_name", "given name", "forename",
                   "Ad", "Adı", "İsim", "ISIM", "first_name"],
    "last_name": ["Last Name", "lastname", "surname", "family_name", "Soyad", "Soyadı",
                  "Soyisim"],
    "full_name": ["Name", "Full Name", "Customer Name", "Contact Name", "Ad Soyad", "Adı Soyadı",
                  "İsim Soyisim", "Müşteri Adı"],
    "email": ["Email", "E-mail", "Email Address", "E-posta", "e_posta", "EPOSTA", "E Posta",
              "E-Posta Adresi", "Mail"],
    "phone": ["Phone", "Phone Number", "Mobile", "Cell", "Tel", "Telefon", "Cep", "Cep Tel",
              "Cep Telefonu", "GSM"],
    "birth_date": ["Birth Date", "Date of Birth", "DOB", "Birthday", "Doğum Tarihi",
                   "DOGUM TARIHI"],
    "street": ["Address", "Street", "Street Address", "Address Line 1", "Adres", "Sokak"],
    "city": ["City", "Town", "Şehir", "SEHIR", "İl", "Kent"],
    "region": ["Region", "State", "Province", "County", "Bölge"],
    "postal_code": ["Postal Code", "Zip", "Zip Code", "Postcode", "Posta Kodu", "postal_code"],
    "country": ["Country", "Ülke"],
    "company": ["Company", "Company Name", "Organization", "Employer", "Şirket", "Firma",
                "Kurum"],
    "job_title": ["Job Title", "Title", "Position", "Role", "Unvan", "Ünvan", "Görev",
                  "Pozisyon"],
    "industry": ["Industry", "Sector", "Business Type", "Sektör", "Endüstri", "İş Kolu",
                 "Faaliyet Alanı"],
    "gender": ["Gender", "Sex", "Cinsiyet"],
    "marital_status": ["Marital Status", "Medeni Hal", "Medeni Durum"],
    "education": ["Education", "Education Level", "Eğitim", "Eğitim Durumu", "Öğrenim"],
    "annual_income": ["Annual Income", "Income", "Yıllık Gelir", "Gelir"],
    "signed_up_at": ["Signed Up At", "Signup Date", "Created At", "Registration Date",
                     "Kayıt Tarihi", "Üyelik Tarihi"],
}  # fmt: skip

RELATED: list[tuple[str, str, str]] = [
    ("orders", "Order ID", "order_id"),
    ("orders", "Order No", "order_id"),
    ("orders", "Sipariş No", "order_id"),
    ("orders", "Sipariş Numarası", "order_id"),
    ("orders", "Customer ID", "customer_id"),
    ("orders", "Müşteri No", "customer_id"),
    ("orders", "Order Date", "ordered_at"),
    ("orders", "Sipariş Tarihi", "ordered_at"),
    ("orders", "Created At", "ordered_at"),
    ("orders", "Grand Total", "total"),
    ("orders", "Toplam Tutar", "total"),
    ("orders", "Tutar", "total"),
    ("orders", "Para Birimi", "currency"),
    ("orders", "Durum", "status"),
    ("orders", "Kanal", "channel"),
    ("orders", "E-posta", "email"),
    ("order_items", "Sipariş No", "order_id"),
    ("order_items", "SKU", "sku"),
    ("order_items", "Stok Kodu", "sku"),
    ("order_items", "Ürün Kodu", "sku"),
    ("order_items", "Product", "product_name"),
    ("order_items", "Ürün Adı", "product_name"),
    ("order_items", "Qty", "quantity"),
    ("order_items", "Adet", "quantity"),
    ("order_items", "Miktar", "quantity"),
    ("order_items", "Price", "unit_price"),
    ("order_items", "Birim Fiyat", "unit_price"),
    ("interactions", "Ticket ID", "interaction_id"),
    ("interactions", "Talep No", "interaction_id"),
    ("interactions", "Case ID", "interaction_id"),
    ("interactions", "Date", "occurred_at"),
    ("interactions", "Tarih", "occurred_at"),
    ("interactions", "Opened At", "occurred_at"),
    ("interactions", "Departman", "department"),
    ("interactions", "Birim", "department"),
    ("interactions", "Temsilci", "agent"),
    ("interactions", "Personel", "agent"),
    ("interactions", "Subject", "reason"),
    ("interactions", "Konu", "reason"),
    ("interactions", "Resolution", "outcome"),
    ("interactions", "Çözüm", "outcome"),
    ("feedback", "Response ID", "response_id"),
    ("feedback", "Yanıt No", "response_id"),
    ("feedback", "Anket", "survey"),
    ("feedback", "Soru", "question"),
    ("feedback", "NPS", "score"),
    ("feedback", "Puan", "score"),
    ("feedback", "Rating", "score"),
    ("feedback", "Comments", "comment"),
    ("feedback", "Açıklama", "comment"),
    ("feedback", "Submitted At", "answered_at"),
    ("feedback", "Yanıt Tarihi", "answered_at"),
    ("consents", "Purpose", "purpose"),
    ("consents", "Amaç", "purpose"),
    ("consents", "İzin Türü", "purpose"),
    ("consents", "Consent Date", "recorded_at"),
    ("consents", "İzin Tarihi", "recorded_at"),
    ("consents", "Status", "status"),
    ("consents", "Müşteri No", "customer_id"),
    ("companies", "Company ID", "company_id"),
    ("companies", "Firma No", "company_id"),
    ("companies", "Name", "name"),
    ("companies", "Website", "domain"),
    ("companies", "Sektör", "industry"),
    ("companies", "Ülke", "country"),
]


@pytest.mark.parametrize(
    ("header", "expected"),
    [(h, a) for a, headers in PEOPLE.items() for h in headers],
    ids=[f"people: {h}" for headers in PEOPLE.values() for h in headers],
)
def test_people_headers(header: str, expected: str) -> None:
    assert canonical_header(header, "people") == expected


@pytest.mark.parametrize(
    ("kind", "header", "expected"), RELATED, ids=[f"{k}: {h}" for k, h, _ in RELATED]
)
def test_related_headers(kind: str, header: str, expected: str) -> None:
    assert canonical_header(header, kind) == expected


UNMAPPED = [
    ("İlçe is a district, not a region", "İlçe", "people"),
    ("Address Line 2 stays custom", "Address Line 2", "people"),
    ("unknown header", "Favourite Colour", "people"),
    ("punctuation only", "--", "people"),
    ("Customer ID has no meaning for items", "Customer ID", "order_items"),
    ("unknown kind", "Email", "planets"),
]


@pytest.mark.parametrize(
    ("header", "kind"), [c[1:] for c in UNMAPPED], ids=[c[0] for c in UNMAPPED]
)
def test_unmapped_headers(header: str, kind: str) -> None:
    assert canonical_header(header, kind) is None


def test_known_attributes_match_the_contract() -> None:
    assert KNOWN_ATTRIBUTES["people"] == frozenset(PEOPLE)
    assert KNOWN_ATTRIBUTES["orders"] == {
        "order_id", "customer_id", "email", "phone", "ordered_at", "total", "currency",
        "status", "channel",
    }  # fmt: skip
    assert KNOWN_ATTRIBUTES["consents"] == {
        "customer_id", "email", "phone", "purpose", "channel", "status", "recorded_at"
    }  # fmt: skip
    assert set(KNOWN_ATTRIBUTES) == {
        "people", "companies", "orders", "order_items", "interactions", "feedback", "consents"
    }  # fmt: skip


def test_every_canonical_name_maps_to_itself() -> None:
    for kind, attributes in KNOWN_ATTRIBUTES.items():
        for attribute in attributes:
            assert canonical_header(attribute, kind) == attribute


def test_no_spelling_means_two_attributes_in_one_kind() -> None:
    for kind, attributes in _SYNONYMS.items():
        owners: dict[str, str] = {}
        for attribute, spellings in attributes.items():
            for spelling in (attribute, *spellings):
                owner = owners.setdefault(fold_key(spelling), attribute)
                assert owner == attribute, f"{kind}: {spelling!r} is {owner} and {attribute}"
