"""Retrain the model Kimlik ships for small stores (``resolve/default_model.json``).

    .venv/bin/python scripts/make_default_model.py

A store with fewer than ``min_training_records`` people cannot teach a model anything,
so ``kimlik resolve`` scores it with this one: Splink trained, unsupervised as always, on
5,000 synthetic people from ``bench/resolve/synth.py`` (a seed other than the demo's, so
the demo is not scored by a model that has seen it). Run it after changing a comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "resolve"))

from synth import generate  # noqa: E402

from kimlik.identity.repository import load_people  # noqa: E402
from kimlik.resolve.engine import Engine, EngineSettings  # noqa: E402

TARGET = ROOT / "src" / "kimlik" / "resolve" / "default_model.json"
PEOPLE, SEED = 5000, 101


def main() -> None:
    kimlik = str(Path(sys.executable).parent / "kimlik")
    with tempfile.TemporaryDirectory() as work:
        data = generate(PEOPLE, SEED, Path(work) / "data")
        url = f"sqlite:///{work}/kimlik.db"
        env = {"KIMLIK_DATABASE_URL": url, "PATH": str(Path(sys.executable).parent)}
        subprocess.run([kimlik, "init"], env=env, check=True, capture_output=True)
        for file in data.files:
            if file.kind != "people":
                continue
            region = ["--region", file.region] if file.region else []
            path = str(data.path(file.name))
            command = [kimlik, "import", path, "--source", file.source, "--kind", "people"]
            subprocess.run([*command, *region], env=env, check=True, capture_output=True)
        with create_engine(url).connect() as connection:
            people = load_people(connection)
        matcher = Engine()
        try:
            matcher.load(dict(person) for person in people)
            model = matcher.train(EngineSettings(min_training_records=0))
        finally:
            matcher.close()
    TARGET.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"trained on {len(people)} records of {PEOPLE} people; wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
