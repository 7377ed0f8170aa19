"""Built-in vocabularies for the synthetic population: names, nicknames, places, domains.

Lists are ordered roughly by how common each entry is; the generator draws with Zipf-like
weights, so "Mehmet Yılmaz" and "James Smith" come up often enough to collide by chance,
as they do in real customer data. Every nickname here is one the ``nicknames`` package
knows (a test holds it to that), so a resolver using that package can find them: the
data stays hard but fair. Turkish given names have no nickname table on purpose
("Memet" is a misspelling of Mehmet, not a nickname); they vary by typo and ASCII folding.
"""

from __future__ import annotations

from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in text.split():
        seen.setdefault(word.replace("_", " "), None)
    return tuple(seen)


TR_FEMALE = _words(
    """
    Ayşe Fatma Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve Havva Zeliha
    Esra Özlem Hülya Yasemin Büşra Leyla Elif_Nur Kübra Derya Sevgi Gül Ebru Dilek Gülşen
    Tuğba Songül Sibel Filiz Aynur Ayten Esma Hacer Gamze Sevim Melek Aysel Pınar Nermin
    Tülay Şule Çiğdem İrem Özge Gözde Yağmur Şeyma Gülay Nazlı Meltem Melike Burcu Damla
    Deniz Duygu Ceren Cansu Buse Berna Fadime Figen Hande Hilal Nesrin Neslihan Nilüfer
    Nihan Oya Rabia Sena Serap Sevda Sevil Şenay Şengül Tülin Ümran Ülkü Yeliz Zerrin Zuhal
    Didem Esin Gizem Gökçe İpek Işıl Kader Lale Mine Müge Nalan Nihal Reyhan Seda Semra
    Sinem Tuba Ülker Eda Elçin Asuman Bahar Beril Cemile Dilara Ecem Fulya Güler Handan
    İlknur Ayşe_Nur Öykü Ece Selin Aslı Nur Sıla Zümrüt Şükran Saadet Nurcan Gülsüm
    """
)
TR_MALE = _words(
    """
    Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Ramazan
    Halil Süleyman Abdullah Mahmut Recep Fatih Kadir Emre Hakan Salih Mehmet_Ali Adem Kemal
    Yaşar Metin Bayram Burak Serkan Gökhan Uğur Onur Tolga Cem Kerem Doğan Şükrü Tayfun
    Ercüment Yiğit Barış Oğuz Çağrı Alper Arda Atakan Aydın Berk Bülent Can Caner Cengiz
    Cihan Coşkun Cüneyt Davut Engin Enes Erdem Erdal Ergün Erkan Ersin Ertuğrul Eray Ferhat
    Fikret Furkan Gürkan Haluk Hamza Harun Hayri İlker İlhan İsa Kaan Kamil Kenan Koray
    Levent Mert Muhammet Nail Necati Nevzat Orhan Özgür Rıza Sadık Selim Serdar Sinan Şahin
    Şenol Tamer Tarık Taner Tuncay Turgut Ufuk Umut Utku Volkan Yavuz Yunus Zafer Zeki
    Ahmet_Can Batuhan Berkay Emir Eren Görkem Hüsnü İlyas Kürşat Necdet Nurettin Oğuzhan
    Rüştü Sabri Sedat Tahsin Talha Tuğrul Ümit Vedat Yakup Yücel Zülfikar
    """
)
TR_SURNAMES = _words(
    """
    Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç
    Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz Can Acar
    Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal Turan Gül Özer Işık Kaplan Avcı
    Sarı Tekin Taş Köse Yüksel Ateş Aksoy Ekinci Çiftçi Aydoğan Karataş Uçar Kalkan Tunç
    Uysal Özgür Sönmez Karakaya Bayram Demirci Coşkun Altun Akın Erdem Kaçar Sevim Duman
    Baysal Türk Gündoğdu Kocabaş Sezer Toprak Oral Kılınç Eren Bilgin Güven Karaca Durmaz
    Akgül Altıntaş Kahraman Erol Dinç Kurtuluş Tuncer Özbek Çınar Akbulut Alkan Aksu Başaran
    Bayraktar Bektaş Bilgiç Bingöl Bozdağ Ceylan Cömert Dağ Demirtaş Dikmen Dursun Ergin
    Gençer Gök Gökçe Güleç Gümüş Gürbüz Haliloğlu Işıklar Karagöz Karakuş Kavak Kaymak
    Kocaman Kuru Metin Okur Ölmez Önal Özbay Özkaya Özyurt Parlak Saygılı Soylu Subaşı
    Şahan Tan Tatlı Tuna Uçan Ulusoy Uzun Vural Yalın Yaman Yazıcı Yeşil Zengin Çalışkan
    Kılıçdaroğlu Karadeniz Erbil Eroğlu Kandemir Sarıkaya Şentürk Akyüz Çolak Ocak Güngör
    Aydemir Büyükşahin Çevik Dönmez Efe Gedik İnce Kırmızı Özçelik Sağlam Temiz Yazgan
    """
)
EN_MALE = _words(
    """
    James Robert John Michael William David Richard Joseph Thomas Charles Christopher Daniel
    Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
    Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
    Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Tyler
    Aaron Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian
    Keith Roger Terry Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse Jordan
    Bryan Bruce Gabriel Logan Albert Alan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell
    Mason Philip Louis Oliver Harry Charlie Alfie Theodore Frederick Nigel Graham Ian Neil
    Simon Stuart Martin Colin Owen Luke Leo Oscar Callum Connor Liam Declan Rhys Gareth
    """
)
EN_FEMALE = _words(
    """
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
    Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah
    Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela
    Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria
    Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan
    Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison
    Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn
    Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis
    Amelia Isla Poppy Freya Chloe Lucy Eleanor Harriet Fiona Gillian Joanne Siobhan Niamh
    """
)
EN_SURNAMES = _words(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Wilson Anderson
    Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker
    Young Allen King Wright Scott Torres Nguyen Hill Green Adams Nelson Baker Hall Rivera
    Campbell Mitchell Carter Roberts Evans Turner Phillips Parker Collins Edwards Stewart
    Morris Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox
    Richardson Wood Watson Brooks Bennett Gray Hughes Price Myers Long Foster Sanders Ross
    Powell Sullivan Russell Jenkins Perry Butler Barnes Fisher Henderson Coleman Simmons
    Patterson Jordan Reynolds Hamilton Graham Kim Alexander Wallace Griffin West Cole Hayes
    Gibson Bryant Ellis Stevens Murray Ford Marshall Owens McDonald Harrison Kennedy Wells
    Woods O'Brien O'Neil MacLeod Walsh Byrne Davies Clarke Patel Khan Shah Lloyd Jenkins
    Hughes Price Fletcher Chapman Palmer Holmes Mills Knight Lawrence Dixon Hunt Webb Rose
    Stone Fox Pearce Carr Hart Dunn Hudson Burke Quinn Doyle McCarthy Gallagher Fitzgerald
    Spencer Barker Rees Hope Lamb Booth Newman Payne Sharp Lowe Bradley Norris Wolfe Vaughn
    """
)

#: Formal English given name -> nicknames people use for it (all known to ``nicknames``).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty", "Eliza"), "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"), "Michael": ("Mike", "Mikey"), "Richard": ("Rick", "Dick", "Rich"),
    "Joseph": ("Joe", "Joey"), "Thomas": ("Tom", "Tommy"), "Charles": ("Charlie", "Chuck"),
    "Christopher": ("Chris",), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",),
    "Anthony": ("Tony",), "Steven": ("Steve",), "Stephen": ("Steve",), "Andrew": ("Andy", "Drew"),
    "Kenneth": ("Ken", "Kenny"), "Timothy": ("Tim",), "Ronald": ("Ron",),
    "Edward": ("Ed", "Eddie", "Ted"), "Jeffrey": ("Jeff",), "Nicholas": ("Nick",),
    "Jonathan": ("Jon",), "Samuel": ("Sam",), "Gregory": ("Greg",), "Alexander": ("Alex",),
    "Benjamin": ("Ben",), "Patrick": ("Pat",), "Gerald": ("Jerry",), "Lawrence": ("Larry",),
    "Frederick": ("Fred",), "Theodore": ("Ted", "Theo"), "David": ("Dave",), "Donald": ("Don",),
    "Raymond": ("Ray",), "Douglas": ("Doug",), "Peter": ("Pete",), "Philip": ("Phil",),
    "Albert": ("Al",), "Walter": ("Walt",), "Vincent": ("Vince",), "Eugene": ("Gene",),
    "Russell": ("Russ",), "Nathan": ("Nate",), "Zachary": ("Zach",), "Joshua": ("Josh",),
    "Margaret": ("Maggie", "Peggy", "Meg"), "Patricia": ("Pat", "Patty", "Trish"),
    "Jennifer": ("Jenny", "Jen"), "Susan": ("Sue", "Susie"), "Katherine": ("Kate", "Kathy"),
    "Catherine": ("Cathy",), "Deborah": ("Debbie", "Deb"), "Rebecca": ("Becky",),
    "Pamela": ("Pam",), "Samantha": ("Sam",), "Christine": ("Chris",), "Victoria": ("Vicky",),
    "Jacqueline": ("Jackie",), "Abigail": ("Abby",), "Kimberly": ("Kim",), "Judith": ("Judy",),
    "Dorothy": ("Dot", "Dottie"), "Cynthia": ("Cindy",), "Sandra": ("Sandy",),
    "Stephanie": ("Steph",), "Amanda": ("Mandy",), "Melissa": ("Missy",),
    "Kathleen": ("Kathy",), "Christina": ("Tina",), "Frances": ("Fran",),
    "Virginia": ("Ginny",), "Eleanor": ("Ellie",), "Isabella": ("Bella",),
}  # fmt: skip


class City(NamedTuple):
    """A city with what agrees with it: postal code stems, landline area codes."""

    name: str
    country: str  # ISO alpha-2
    postal: tuple[str, ...]  # TR/US: leading digits; GB: outward codes
    area_codes: tuple[str, ...]  # national significant prefixes of landlines
    weight: int


# fmt: off
CITIES: tuple[City, ...] = (
    City("İstanbul", "TR", ("34",), ("212", "216"), 30),
    City("Ankara", "TR", ("06",), ("312",), 12),
    City("İzmir", "TR", ("35",), ("232",), 9),
    City("Bursa", "TR", ("16",), ("224",), 5),
    City("Antalya", "TR", ("07",), ("242",), 5),
    City("Adana", "TR", ("01",), ("322",), 4),
    City("Konya", "TR", ("42",), ("332",), 4),
    City("Gaziantep", "TR", ("27",), ("342",), 3),
    City("Kayseri", "TR", ("38",), ("352",), 3),
    City("Eskişehir", "TR", ("26",), ("222",), 3),
    City("Trabzon", "TR", ("61",), ("462",), 2),
    City("Mersin", "TR", ("33",), ("324",), 3),
    City("Samsun", "TR", ("55",), ("362",), 2),
    City("Kocaeli", "TR", ("41",), ("262",), 3),
    City("Denizli", "TR", ("20",), ("258",), 2),
    City("Muğla", "TR", ("48",), ("252",), 2),
    City("Çanakkale", "TR", ("17",), ("286",), 1),
    City("New York", "US", ("100", "101", "102"), ("212", "646", "917"), 12),
    City("Brooklyn", "US", ("112",), ("718", "347"), 6),
    City("Los Angeles", "US", ("900",), ("213", "323", "310"), 10),
    City("Chicago", "US", ("606",), ("312", "773"), 8),
    City("Houston", "US", ("770",), ("713", "832"), 6),
    City("Phoenix", "US", ("850",), ("602",), 4),
    City("Philadelphia", "US", ("191",), ("215", "267"), 4),
    City("San Antonio", "US", ("782",), ("210",), 3),
    City("San Diego", "US", ("921",), ("619", "858"), 4),
    City("Dallas", "US", ("752",), ("214", "469"), 4),
    City("Austin", "US", ("787",), ("512",), 3),
    City("Seattle", "US", ("981",), ("206",), 3),
    City("Boston", "US", ("021",), ("617",), 4),
    City("Denver", "US", ("802",), ("303", "720"), 3),
    City("Atlanta", "US", ("303",), ("404", "678"), 3),
    City("Miami", "US", ("331",), ("305", "786"), 3),
    City("Portland", "US", ("972",), ("503",), 2),
    City("London", "GB", ("SW11", "SE15", "N1", "E8", "NW3", "W12", "EC1V", "WC2H", "SW9", "N16"),
         ("207", "208"), 20),
    City("Manchester", "GB", ("M1", "M4", "M14", "M20", "M21"), ("161",), 6),
    City("Birmingham", "GB", ("B1", "B5", "B13", "B15", "B29"), ("121",), 5),
    City("Leeds", "GB", ("LS1", "LS6", "LS8", "LS17"), ("113",), 3),
    City("Glasgow", "GB", ("G1", "G3", "G12", "G41"), ("141",), 3),
    City("Liverpool", "GB", ("L1", "L8", "L15", "L17"), ("151",), 3),
    City("Edinburgh", "GB", ("EH1", "EH3", "EH6", "EH10"), ("131",), 3),
    City("Bristol", "GB", ("BS1", "BS6", "BS7", "BS8"), ("117",), 3),
    City("Sheffield", "GB", ("S1", "S7", "S10", "S11"), ("114",), 2),
    City("Cardiff", "GB", ("CF10", "CF11", "CF14", "CF24"), ("29",), 2),
)
# fmt: on

TR_STREETS = _words(
    """
    Atatürk Cumhuriyet İstiklal İnönü Gazi Fevzi_Çakmak Menekşe Lale Gül Papatya Çınar
    Akasya Bağdat Barbaros Mimar_Sinan Yunus_Emre Mevlana Fatih Kazım_Karabekir Hürriyet
    Zafer Şehitler Okul Cami Pınar Kavak Söğüt Ihlamur Nergis Karanfil Zambak Şair_Nedim
    Halaskargazi Bahariye Moda Ergenekon Kordon Gaziosmanpaşa Necatibey Talatpaşa Ziya_Gökalp
    """
)
#: Turkish street types and the abbreviations people type for them.
TR_STREET_TYPES: dict[str, tuple[str, ...]] = {
    "Caddesi": ("Cad.", "Cd."),
    "Sokak": ("Sk.", "Sok."),
    "Bulvarı": ("Blv.", "Bulv."),
}
EN_STREETS = _words(
    """
    Main Oak Maple Cedar Pine Elm Washington Lake Hill Park Sunset Lincoln Jefferson Madison
    Franklin Highland Church Mill River Spring Center Ridge Walnut Chestnut Victoria Queen
    King Station Albert Manor Grove Willow Birch Meadow Orchard Kingsway Beech Holly
    """
)
US_STREET_TYPES: dict[str, tuple[str, ...]] = {
    "Street": ("St", "St."),
    "Avenue": ("Ave", "Ave."),
    "Road": ("Rd", "Rd."),
    "Boulevard": ("Blvd",),
    "Drive": ("Dr", "Dr."),
    "Lane": ("Ln",),
    "Court": ("Ct",),
}
UK_STREET_TYPES: dict[str, tuple[str, ...]] = {
    "Street": ("St", "St."),
    "Road": ("Rd", "Rd."),
    "Avenue": ("Ave",),
    "Lane": ("Ln",),
    "Close": ("Cl.",),
    "Gardens": ("Gdns",),
    "Crescent": ("Cres.",),
    "Terrace": ("Terr.",),
}

FREE_MAIL = {
    "TR": ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "yandex.com", "icloud.com"),
    "US": ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"),
    "GB": ("gmail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com", "btinternet.com"),
}

#: (company, e-mail domain, industry as the CRM spells it)
COMPANIES = (
    ("Anadolu Yazılım", "anadoluyazilim.com.tr", "Bilişim"),
    ("Marmara Perakende", "marmaraperakende.com.tr", "Perakende"),
    ("Ege Finans", "egefinans.com.tr", "Finans"),
    ("Boğaziçi Lojistik", "bogazicilojistik.com", "Lojistik"),
    ("Kuzey Sağlık", "kuzeysaglik.com.tr", "Sağlık"),
    ("Toros İnşaat", "torosinsaat.com.tr", "İnşaat"),
    ("Northwind Traders", "northwind.example.com", "Retail"),
    ("Contoso Health", "contosohealth.com", "Healthcare"),
    ("Fabrikam Software", "fabrikam.io", "Software"),
    ("Blue Yonder Airlines", "blueyonder.co.uk", "Travel"),
    ("Tailspin Logistics", "tailspin.co.uk", "Logistics"),
    ("Litware Bank", "litwarebank.com", "Banking"),
)

#: (sku, Turkish name, English name, price in TRY)
PRODUCTS = (
    ("SKU-100", "Kablosuz Kulaklık", "Wireless Headphones", 1249.90),
    ("SKU-220", "Telefon Kılıfı", "Phone Case", 174.75),
    ("SKU-310", "Akıllı Saat", "Smart Watch", 2999.00),
    ("SKU-405", "Şarj Aleti", "Phone Charger", 289.99),
    ("SKU-512", "Bluetooth Hoparlör", "Bluetooth Speaker", 899.50),
    ("SKU-618", "Laptop Çantası", "Laptop Bag", 649.00),
    ("SKU-733", "Powerbank 10000 mAh", "Power Bank 10000 mAh", 459.90),
    ("SKU-840", "Oyuncu Faresi", "Gaming Mouse", 749.00),
    ("SKU-951", "Mekanik Klavye", "Mechanical Keyboard", 1899.00),
    ("SKU-177", "USB-C Kablo", "USB-C Cable", 99.90),
)

SURVEY_COMMENTS = {
    "TR": (
        "Kargo çok hızlıydı",
        "Ürün beklediğim gibi",
        "İade süreci zordu",
        "Fiyatlar yüksek",
        "",
    ),
    "EN": ("Fast delivery", "Great product", "Support was slow", "Too expensive", ""),
}
