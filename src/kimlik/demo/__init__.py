"""Bundled sample data for `kimlik demo`."""
