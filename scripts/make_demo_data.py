"""Regenerate the bundled demo data: 300 synthetic people in four apps, plus a few bad rows.

    .venv/bin/python scripts/make_demo_data.py

The people, households and noise come from ``bench/resolve/synth.py`` (seeded, so the
output is the same every time); the rows appended here are deliberate mistakes so that
the demo also shows rejections and flagged values. ``truth.csv`` ships alongside so tests
can check ``kimlik resolve`` on the demo against who is really who.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "resolve"))

from synth import generate  # noqa: E402

DATA = ROOT / "src" / "kimlik" / "demo" / "data"
#: Deliberate mistakes in the CRM export: missing id, broken email and phone, impossible
#: birth date, a row with nothing to identify the person by.
BAD_CRM_ROWS = (
    ";Deniz;Aksoy;deniz.aksoy@gmail.com;05321112233;01.02.1990;İzmir;;35000;Türkiye;",
    "C199001;Ece;Yıldız;ece.yildiz@@gmail;0532;31.02.1985;Ankara;;06100;Türkiye;",
    "C199002;;;;;;Bursa;;16000;Türkiye;",
    "C199003;Mert;Kaya;mert.kaya@hotmail.com;05331234567;12.12.2090;İstanbul;;34000;Türkiye;",
)


def main() -> None:
    if DATA.exists():
        shutil.rmtree(DATA)
    generate(300, 7, DATA)
    with (DATA / "crm_contacts.csv").open("a", encoding="utf-8", newline="") as crm:
        for row in BAD_CRM_ROWS:
            crm.write(row + "\n")


if __name__ == "__main__":
    main()
