"""Column headers to Kimlik's canonical attributes, in English and Turkish.

A file's header is compared through ``fold_key``, so "E-Posta Adresi", "e_posta_adresi"
and "EPOSTA ADRESI" are one spelling. The same header can mean different things in
different kinds of file ("Customer ID" is the record's own id in a people file and the
link to a person in an orders file), so each kind has its own table. A canonical name
("postal_code") always maps to itself. A header that maps to nothing returns ``None``
and the importer keeps the column as a custom attribute.

"İlçe" (a district) is deliberately unmapped: it is neither the city nor the region.
"""

from __future__ import annotations

from functools import lru_cache

from kimlik.standardize.text import fold_key

# fmt: off
_CUSTOMER_ID = (
    "Customer ID", "Customer No", "Customer Number", "Client ID", "Contact ID", "Müşteri No",
    "Müşteri Numarası", "Müşteri ID", "Müşteri Kodu",
)
_EMAIL = (
    "Email", "E-mail", "Email Address", "E-mail Address", "Mail", "Mail Adresi", "E-posta",
    "E-Posta Adresi", "Eposta", "Email Adresi",
)
_PHONE = (
    "Phone", "Phone Number", "Telephone", "Mobile", "Mobile Phone", "Mobile Number", "Cell",
    "Cell Phone", "Tel", "Tel No", "Telefon", "Telefon No", "Telefon Numarası", "Cep",
    "Cep Tel", "Cep Telefonu", "Cep No", "GSM", "GSM No",
)
_COUNTRY = ("Country", "Country Code", "Ülke", "Ülke Kodu")
_INDUSTRY = (
    "Industry", "Sector", "Business Type", "Sektör", "Endüstri", "İş Kolu", "Faaliyet Alanı",
)
_CHANNEL = ("Channel", "Kanal")
_STATUS = ("Status", "Durum")
_DATE = ("Date", "Tarih", "Created At", "Created")

_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {
        "record_id": (
            "ID", "Record ID", "Kayıt No", "Kayıt Numarası", *_CUSTOMER_ID,
        ),
        "first_name": (
            "First Name", "Firstname", "First", "Given Name", "Forename", "Ad", "Adı", "İsim",
        ),
        "last_name": (
            "Last Name", "Lastname", "Surname", "Family Name", "Soyad", "Soyadı", "Soyisim",
            "Soy İsim",
        ),
        "full_name": (
            "Name", "Full Name", "Customer Name", "Contact Name", "Client Name", "Ad Soyad",
            "Adı Soyadı", "Ad Soyadı", "İsim Soyisim", "Müşteri Adı", "Müşteri",
        ),
        "email": _EMAIL,
        "phone": _PHONE,
        "birth_date": (
            "Birth Date", "Birthdate", "Date of Birth", "DOB", "Birthday", "Doğum Tarihi",
        ),
        "street": (
            "Address", "Street", "Street Address", "Address Line 1", "Address 1", "Adres",
            "Sokak", "Açık Adres", "Adres Satırı 1",
        ),
        "city": ("City", "Town", "Şehir", "İl", "Kent"),
        "region": ("Region", "State", "Province", "County", "Bölge"),
        "postal_code": (
            "Postal Code", "Zip", "Zip Code", "Zipcode", "Postcode", "Post Code", "Posta Kodu",
        ),
        "country": _COUNTRY,
        "company": (
            "Company", "Company Name", "Organization", "Organisation", "Employer", "Şirket",
            "Şirket Adı", "Firma", "Firma Adı", "Kurum",
        ),
        "job_title": (
            "Job Title", "Title", "Position", "Role", "Occupation", "Unvan", "Ünvan", "Görev",
            "Pozisyon", "Meslek",
        ),
        "industry": _INDUSTRY,
        "gender": ("Gender", "Sex", "Cinsiyet"),
        "marital_status": ("Marital Status", "Medeni Hal", "Medeni Hali", "Medeni Durum"),
        "education": (
            "Education", "Education Level", "Eğitim", "Eğitim Durumu", "Eğitim Seviyesi",
            "Öğrenim", "Öğrenim Durumu",
        ),
        "annual_income": ("Annual Income", "Income", "Yıllık Gelir", "Gelir"),
        "signed_up_at": (
            "Signed Up At", "Signup Date", "Sign Up Date", "Created At", "Registration Date",
            "Registered At", "Kayıt Tarihi", "Üyelik Tarihi",
        ),
    },
    "companies": {
        "company_id": (
            "ID", "Company ID", "Company No", "Account ID", "Firma No", "Firma ID", "Şirket No",
        ),
        "name": (
            "Name", "Company", "Company Name", "Organization", "Organisation", "Account Name",
            "Firma", "Firma Adı", "Şirket", "Şirket Adı", "Unvan", "Ünvan", "Ticari Unvan",
        ),
        "domain": ("Domain", "Website", "Web Site", "Web", "URL", "Web Sitesi", "Alan Adı"),
        "industry": _INDUSTRY,
        "size": (
            "Size", "Company Size", "Employees", "Number of Employees", "Employee Count",
            "Headcount", "Çalışan Sayısı", "Personel Sayısı", "Büyüklük",
        ),
        "country": _COUNTRY,
    },
    "orders": {
        "order_id": (
            "ID", "Order ID", "Order No", "Order Number", "Sipariş No", "Sipariş Numarası",
            "Sipariş ID",
        ),
        "customer_id": _CUSTOMER_ID,
        "email": _EMAIL,
        "phone": _PHONE,
        "ordered_at": (
            "Order Date", "Ordered At", "Purchase Date", "Sipariş Tarihi", *_DATE,
        ),
        "total": (
            "Total", "Amount", "Order Total", "Grand Total", "Tutar", "Toplam", "Toplam Tutar",
            "Sipariş Tutarı",
        ),
        "currency": ("Currency", "Para Birimi", "Döviz"),
        "status": (*_STATUS, "Order Status", "Sipariş Durumu"),
        "channel": (*_CHANNEL, "Sales Channel", "Satış Kanalı"),
    },
    "order_items": {
        "order_id": (
            "Order ID", "Order No", "Order Number", "Sipariş No", "Sipariş Numarası",
            "Sipariş ID",
        ),
        "sku": ("SKU", "Product Code", "Item Code", "Stok Kodu", "Ürün Kodu"),
        "product_name": ("Product", "Product Name", "Item", "Item Name", "Ürün", "Ürün Adı"),
        "quantity": ("Quantity", "Qty", "Adet", "Miktar"),
        "unit_price": ("Unit Price", "Price", "Birim Fiyat", "Fiyat"),
    },
    "interactions": {
        "interaction_id": (
            "ID", "Interaction ID", "Ticket ID", "Ticket No", "Ticket Number", "Case ID",
            "Case Number", "Talep No", "Talep Numarası",
        ),
        "customer_id": _CUSTOMER_ID,
        "email": _EMAIL,
        "phone": _PHONE,
        "channel": _CHANNEL,
        "occurred_at": ("Occurred At", "Opened At", "Talep Tarihi", *_DATE),
        "department": ("Department", "Team", "Departman", "Birim", "Ekip"),
        "agent": ("Agent", "Assignee", "Assigned To", "Temsilci", "Personel"),
        "reason": ("Reason", "Subject", "Category", "Konu", "Neden", "Kategori"),
        "outcome": ("Outcome", "Resolution", "Sonuç", "Çözüm"),
    },
    "feedback": {
        "response_id": ("ID", "Response ID", "Submission ID", "Yanıt No", "Yanıt ID"),
        "customer_id": _CUSTOMER_ID,
        "email": _EMAIL,
        "phone": _PHONE,
        "survey": ("Survey", "Survey Name", "Anket", "Anket Adı"),
        "question": ("Question", "Soru"),
        "score": ("Score", "Rating", "NPS", "NPS Score", "Puan", "Skor"),
        "comment": ("Comment", "Comments", "Feedback", "Yorum", "Açıklama", "Görüş"),
        "answered_at": (
            "Answered At", "Submitted At", "Response Date", "Yanıt Tarihi", *_DATE,
        ),
    },
    "consents": {
        "customer_id": _CUSTOMER_ID,
        "email": _EMAIL,
        "phone": _PHONE,
        "purpose": ("Purpose", "Consent Type", "Amaç", "İzin Türü"),
        "channel": _CHANNEL,
        "status": (*_STATUS, "Consent", "Consent Status", "İzin", "İzin Durumu"),
        "recorded_at": ("Recorded At", "Consent Date", "İzin Tarihi", *_DATE),
    },
}
# fmt: on

KNOWN_ATTRIBUTES: dict[str, frozenset[str]] = {
    kind: frozenset(attributes) for kind, attributes in _SYNONYMS.items()
}


def canonical_header(header: str, kind: str) -> str | None:
    """The canonical attribute a column header means for ``kind``, or ``None``."""
    return _canonical_header(header, kind)


@lru_cache(maxsize=65536)
def _canonical_header(header: str, kind: str) -> str | None:
    table = _tables().get(kind)
    if table is None:
        return None
    return table.get(fold_key(header))


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    """kind → folded spelling → attribute. The first attribute listed wins a clash."""
    tables: dict[str, dict[str, str]] = {}
    for kind, attributes in _SYNONYMS.items():
        table = {fold_key(attribute): attribute for attribute in attributes}
        for attribute, spellings in attributes.items():
            for spelling in spellings:
                table.setdefault(fold_key(spelling), attribute)
        tables[kind] = table
    return tables
