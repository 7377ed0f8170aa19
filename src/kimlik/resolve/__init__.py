"""The identity-resolution engine: matching keys, comparisons, scoring; no web or ORM imports."""
