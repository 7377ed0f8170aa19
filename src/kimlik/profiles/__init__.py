"""Profiles: golden records built from linked source records, with lineage for every value."""
