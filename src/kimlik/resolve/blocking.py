"""Blocking: the SQL that finds candidate pairs, the only pairs a run scores.

Records meet when they agree on any of ``BLOCKING_KEYS``, when an identifier or a name
spelling is one edit from another's (``typo_variants_sql``), when an address spells
another record's initial and surname, or when first and last names are swapped. A key
more than ``max_block`` records share is a crowd and is skipped, so growth is not
quadratic. The incremental run looks for partners of a few probes only; the full run
(every record a probe) has SQL of its own that gives exactly the same pairs with half
the joins, each pair found once rather than from both sides.
"""

from __future__ import annotations

#: Candidate pairs come from records agreeing on any of these (one key per tuple).
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("email_key",),
    ("phone",),
    ("phone_suffix",),
    ("email_local",),
    ("first_name_canon", "last_name_key"),
    ("first_name_metaphone", "last_name_metaphone"),
    ("last_name_key", "birth_date"),
    ("first_name_key", "birth_date"),
    ("birth_date", "postal_code_key"),
    ("address_key", "first_name_metaphone"),
    ("last_name_metaphone", "postal_code_key"),
    ("first_name_key", "postal_code_key"),
    ("first_name_metaphone", "birth_date"),
    ("street_key", "city_key"),
    ("birth_date", "city_key"),
    ("first_name_canon", "birth_year_hint"),
)
#: Keys that only pair records meeting a condition (``p`` and ``r``: the two records).
KEY_CONDITIONS: dict[tuple[str, ...], str] = {
    # a year read from an address meets a birth year or another address's year; two
    # birth dates already meet through the keys above, and first name + year alone would
    # pair every Zeynep born in 1990 with every other
    ("first_name_canon", "birth_year_hint"): 'p."birth_year" IS NULL OR r."birth_year" IS NULL',
}


#: Identifiers blocked with their one-edit neighbourhood: a typo must not hide a person.
TYPO_KEYS: tuple[str, ...] = ("email_key", "phone", "external_id")
#: Ways a record spells its person's name in one word, as SQL over the feature columns,
#: and whether a typo in it is looked for: the full name, its nickname-canonical form, the
#: names reversed, first name and the family surname of the address, and the letters of
#: the address itself unless they are only the first name
#: ("richard1954@…" names a crowd). Spellings share one key space, so a sign-up
#: known only as "ecemkarakaya@…" meets Ecem Karakaya of the CRM, "sultan_sahin@…" meets
#: Sultan Şahin and "gencer.mustafa@…" Mustafa Gencer.
NAME_SPELLINGS: tuple[tuple[str, bool], ...] = (
    ('"first_name_key" || "last_name_key"', True),
    ('"first_name_canon" || "last_name_key"', False),
    ('"last_name_key" || "first_name_key"', False),
    ('"first_name_key" || "email_surname"', False),
    ('"email_spelling"', True),
)
#: Shorter spellings (a bare "mary" address) describe a crowd of people, not one.
_MIN_SPELLING = 6
#: Shortest initial + surname worth a candidate ("akaya"; "ayi" is noise).
_MIN_INITIALS = 5
#: A first/last swap cannot be an equi-join on one key: its own rule.
SWAPPED_KEY = ("first_name_key", "last_name_key")


def candidate_pairs_sql(records: str, probes: str | None, variants: str, *, max_block: int) -> str:
    """Pairs (rid_l < rid_r) where a probe record shares a blocking key with any record.

    ``probes`` is the table of the records looking for partners, ``None`` for every record
    (a full run). Keys shared by more than ``max_block`` records are skipped: they describe
    a crowd (a placeholder that slipped through, a call-centre number), not a person.
    ``variants`` is the ``(rid, v)`` table of ``typo_variants_sql`` over ``records``.
    """
    if probes is not None:
        return _probed_pairs_sql(records, probes, variants, max_block=max_block)
    selects: list[str] = []
    ctes: list[str] = []
    for number, key in enumerate(BLOCKING_KEYS):
        columns = ", ".join(f'"{c}"' for c in key)
        not_null = " AND ".join(f'"{c}" IS NOT NULL' for c in key)
        # Each key's records once (a crowd or a value nobody else has makes no pair),
        # joined with themselves one way round: ``a < b`` finds each pair once.
        ctes.append(
            f'keyed_{number} AS MATERIALIZED (SELECT * FROM "{records}" SEMI JOIN ('
            f'SELECT {columns} FROM "{records}" WHERE {not_null} GROUP BY {columns} '
            f"HAVING count(*) BETWEEN 2 AND {max_block}) USING ({columns}))"
        )
        on = " AND ".join(f'p."{c}" = r."{c}"' for c in key)
        only = f"WHERE {KEY_CONDITIONS[key]}" if key in KEY_CONDITIONS else ""
        selects.append(
            f"SELECT p.rid AS a, r.rid AS b FROM keyed_{number} p JOIN keyed_{number} r "
            f"ON {on} AND p.rid < r.rid {only}"
        )
    ctes.append(
        f'typo_rows AS MATERIALIZED (SELECT rid, v FROM "{variants}" SEMI JOIN ('
        f'SELECT v FROM "{variants}" GROUP BY v HAVING count(*) BETWEEN 2 AND {max_block}) '
        "USING (v))"
    )
    selects.append(
        "SELECT p.rid AS a, r.rid AS b FROM typo_rows p JOIN typo_rows r "
        "ON p.v = r.v AND p.rid < r.rid"
    )
    # An address spelling another's initials: with every record a probe, the probes'
    # initials against the records' addresses is the same join seen from the other side.
    selects.extend(_initial_pairs(records, records, ctes, max_block=max_block)[:1])
    ctes.append(
        f"swap_rows AS MATERIALIZED (SELECT * FROM ({_names(records)}) "
        f"QUALIFY count(*) OVER (PARTITION BY lo, hi) <= {max_block})"
    )
    selects.append(
        "SELECT p.rid AS a, r.rid AS b FROM swap_rows p JOIN swap_rows r "
        "ON p.f = r.l AND p.l = r.f AND p.rid < r.rid"
    )
    union = "\nUNION ALL\n".join(selects)
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT DISTINCT least(a, b) AS rid_l, greatest(a, b) AS rid_r FROM ({union})"
    )


def _probed_pairs_sql(records: str, probes: str, variants: str, *, max_block: int) -> str:
    """``candidate_pairs_sql`` for some probes: only the probes' own keys are counted, so
    a few probes cost little in a large store."""
    selects: list[str] = []
    ctes: list[str] = []  # per key: the probes' values that are no crowd
    for number, key in enumerate(BLOCKING_KEYS):
        on = " AND ".join(f'p."{c}" = r."{c}"' for c in key)
        columns = ", ".join(f'"{c}"' for c in key)
        probe_not_null = " AND ".join(f'p."{c}" IS NOT NULL' for c in key)
        probe_keys = f'SELECT DISTINCT {columns} FROM "{probes}" p WHERE {probe_not_null}'
        same = " AND ".join(f'k."{c}" = r."{c}"' for c in key)
        counted = ", ".join(f'r."{c}"' for c in key)
        ctes.append(
            f'keys_{number} AS (SELECT {counted} FROM "{records}" r JOIN ({probe_keys}) k '
            f"ON {same} GROUP BY {counted} HAVING count(*) <= {max_block})"
        )
        # Both sides keep only the probes' keys that are no crowd, before the join: joined
        # first, a key a thousand records share makes a million pairs only to throw them
        # away, and an incremental run must not read the whole store to find its few keys.
        only = f"WHERE {KEY_CONDITIONS[key]}" if key in KEY_CONDITIONS else ""
        selects.append(
            f"SELECT p.rid AS a, r.rid AS b FROM ({_keyed(probes, key, number)}) p "
            f"JOIN ({_keyed(records, key, number)}) r ON {on} AND p.rid <> r.rid {only}"
        )
    # The variants table is the largest (dozens of rows a record): read it once, for the
    # rows that share a value with a probe, and count and join those. The probes' own
    # variants are worked out from the probes, not looked up in it.
    ctes.append(
        f"typo_probes AS MATERIALIZED ({typo_variants_sql(probes)}), "
        f'typo_hits AS MATERIALIZED (SELECT rid, v FROM "{variants}" '
        "SEMI JOIN (SELECT DISTINCT v FROM typo_probes) USING (v)), "
        f"typo_keys AS (SELECT v FROM typo_hits GROUP BY v HAVING count(*) <= {max_block})"
    )
    selects.append(
        "SELECT p.rid AS a, r.rid AS b "
        "FROM (SELECT rid, v FROM typo_probes SEMI JOIN typo_keys USING (v)) p "
        "JOIN (SELECT rid, v FROM typo_hits SEMI JOIN typo_keys USING (v)) r "
        "ON p.v = r.v AND p.rid <> r.rid"
    )
    selects.extend(_initial_pairs(records, probes, ctes, max_block=max_block))
    ctes.append(
        f"swap_keys AS (SELECT lo, hi FROM ({_names(records)}) "
        f"SEMI JOIN (SELECT DISTINCT lo, hi FROM ({_names(probes)})) USING (lo, hi) "
        f"GROUP BY lo, hi HAVING count(*) <= {max_block})"
    )
    selects.append(
        f"SELECT p.rid AS a, r.rid AS b FROM (SELECT * FROM ({_names(probes)}) SEMI JOIN "
        f"swap_keys USING (lo, hi)) p JOIN ({_names(records)}) r "
        "ON p.f = r.l AND p.l = r.f AND p.rid <> r.rid"
    )
    union = "\nUNION ALL\n".join(selects)
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT DISTINCT least(a, b) AS rid_l, greatest(a, b) AS rid_r FROM ({union})"
    )


def _names(table: str) -> str:
    """Records with two different names, keyed by the unordered pair (``lo``, ``hi``): a
    swap meets the names in the other order, and "Ayşe Yılmaz" with "Yılmaz Ayşe" is a
    crowd of a thousand in a large Turkish store, like the names in order."""
    first, last = SWAPPED_KEY
    return (
        f'SELECT rid, "{first}" AS f, "{last}" AS l, least("{first}", "{last}") AS lo, '
        f'greatest("{first}", "{last}") AS hi FROM "{table}" '
        f'WHERE "{first}" IS NOT NULL AND "{last}" IS NOT NULL AND "{first}" <> "{last}"'
    )


def _keyed(table: str, key: tuple[str, ...], number: int) -> str:
    """The rows of ``table`` whose ``key`` is one of ``keys_{number}``."""
    columns = ", ".join(f'"{c}"' for c in key)
    return f'SELECT * FROM "{table}" SEMI JOIN keys_{number} USING ({columns})'


def _initial_pairs(records: str, probes: str, ctes: list[str], *, max_block: int) -> list[str]:
    """Pairs where one record's address spells the other's initial and surname.

    "rhaliloglu@…" meets Ramazan Haliloğlu. Records never meet each other on their
    initials alone: every A. Kaya of a large store would pair with every other. As for
    the other keys, both sides keep only the probes' values that are no crowd.
    """

    def initials(alias: str) -> str:
        return f'left({alias}."first_name_key", 1) || {alias}."last_name_key"'

    named = (
        f'SELECT rid, {initials("n")} AS k FROM "{records}" n '
        f"WHERE length({initials('n')}) >= {_MIN_INITIALS}"
    )
    wanted = (
        f'SELECT "email_spelling" FROM "{probes}" UNION SELECT {initials("q")} FROM "{probes}" q'
    )
    ctes.append(
        f"initials_keys AS (SELECT k FROM ({named}) WHERE k IN ({wanted}) "
        f"GROUP BY k HAVING count(*) <= {max_block})"
    )
    return [
        # a probe's address against the records' initials ...
        f'SELECT p.rid AS a, r.rid AS b FROM "{probes}" p '
        f'JOIN ({named}) r ON p."email_spelling" = r.k AND p.rid <> r.rid '
        "WHERE r.k IN (SELECT k FROM initials_keys)",
        # ... and a probe's initials against the records' addresses
        f'SELECT p.rid AS a, r.rid AS b FROM "{probes}" p JOIN "{records}" r '
        f'ON {initials("p")} = r."email_spelling" AND p.rid <> r.rid '
        'WHERE r."email_spelling" IN (SELECT k FROM initials_keys)',
    ]


def typo_variants_sql(table: str) -> str:
    """``(rid, v)``: each typo key's value and every one-character deletion of it, hashed,
    and likewise the record's name spellings (``NAME_SPELLINGS``); each pair once.

    Two values one edit apart (a substitution, insertion, deletion or swap of neighbours)
    always share a variant (the symmetric-delete trick), so an equi-join finds them. A
    64-bit hash instead of the text keeps ~45 variants a record small (a million records:
    several GB of text) and the join on integers fast; a collision only adds a candidate.

    The rows come out distinct without a ``DISTINCT`` over all of them (at a million
    records, 12 of the 17 s the table took): deleting either of two equal neighbours
    gives the same text, so only the first of a run is deleted; and a record's spellings,
    which often coincide or lie one letter apart, are pooled and made distinct per record.
    (Pooling per record serves identifiers too, but measured slower on their long texts:
    13-14 s against 8 s for the whole table at a million records.)
    """
    parts = []
    for number, column in enumerate(TYPO_KEYS):
        namespace = f"'{number}:'"
        values = f'SELECT rid, "{column}" AS s FROM "{table}" WHERE "{column}" IS NOT NULL'
        parts.append(f"SELECT rid, hash({namespace} || s) AS v FROM ({values})")
        parts.append(
            f"SELECT rid, hash({namespace} || substr(s, 1, i - 1) || substr(s, i + 1)) AS v "
            f"FROM ({values}) JOIN range(1, 255) AS positions(i) ON i <= length(s) "
            "WHERE i = 1 OR substr(s, i, 1) <> substr(s, i - 1, 1)"
        )
    spellings = ", ".join(_spelled(spelling, deletions) for spelling, deletions in NAME_SPELLINGS)
    parts.append(
        "SELECT rid, hash('name:' || s) AS v FROM ("
        f'SELECT rid, unnest(list_distinct(flatten([{spellings}]))) AS s FROM "{table}")'
    )
    return "SELECT rid, v FROM (" + " UNION ALL ".join(parts) + ")"


def _spelled(spelling: str, deletions: bool) -> str:
    """SQL: a list of a record's spelling and, if asked, its one-character deletions;
    empty when the spelling is missing or too short to say who someone is."""
    text = f"({spelling})"
    listed = f"[{text}]"
    if deletions:
        deleted = (
            f"list_transform(range(1, length({text}) + 1), "
            f"lambda i: substr({text}, 1, i - 1) || substr({text}, i + 1))"
        )
        listed = f"list_prepend({text}, {deleted})"
    return f"CASE WHEN coalesce(length({text}) >= {_MIN_SPELLING}, false) THEN {listed} ELSE [] END"
