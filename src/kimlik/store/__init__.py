"""Persistence: tables, engine, migrations. Only ``*/repository.py`` modules query it."""
