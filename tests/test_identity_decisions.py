"""People stay in charge, end to end through ``kimlik`` on SQLite and PostgreSQL: merge,
unmerge, never-merge, review and revoke take effect at once, survive ``resolve --full``,
can be taken back, and leave a ledger entry naming who did it.

The review queue is filled by inserting ``review_items`` rows directly: on data this small
the shipped model is sure of every pair, so ``resolve`` queues nothing to review.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from typer.testing import CliRunner

from kimlik.cli.app import app
from kimlik.store.tables import (
    identity_decisions,
    merge_ledger,
    profile_members,
    review_items,
    source_records,
    sources,
)

runner = CliRunner(env={"COLUMNS": "200"})
HEADER = "id,first_name,last_name,email,phone,birth_date,city\n"
CRM = (
    "C-001,Ayşe,Yılmaz,ayse.yilmaz@gmail.com,+90 532 111 2233,1985-03-12,İstanbul\n"
    "C-002,Mehmet,Demir,demir.aile@gmail.com,+90 532 222 3344,1960-07-01,Ankara\n"
    "C-003,John,Smith,john.smith@gmail.com,+1 212 555 0101,1990-01-05,New York\n"
    "C-004,Kemal,Sunal,kemal.sunal@gmail.com,+90 533 444 5566,1970-05-05,İzmir\n"
    "C-005,Elif,Kaya,elif.kaya@hotmail.com,+90 535 123 4567,1991-10-10,Bursa\n"
)
WEBSHOP = (
    "W-001,Ayse,Yilmaz,ayse.yilmaz@gmail.com,0532 111 22 33,1985-03-12,Istanbul\n"  # C-001
    "W-002,Zeynep,Demir,demir.aile@gmail.com,+90 532 999 8877,1992-02-14,Ankara\n"  # family
    "W-003,Johnny,Smith,john.smith@gmail.com,+1 212 555 0101,1990-01-05,New York\n"  # C-003
    "W-004,Kemal,Sunal,k.sunal@yahoo.com,+90 533 000 1111,1971-08-20,İzmir\n"  # unsure
    "W-005,Lena,Novak,lena.novak@gmail.com,+49 30 1234567,1995-09-09,Berlin\n"
)


def kimlik(database_url: str, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["--database", database_url, *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def where(engine: Engine) -> dict[str, int]:
    """``source:record_id`` -> profile id."""
    statement = (
        select(sources.c.name, source_records.c.record_id, profile_members.c.profile_id)
        .join(source_records, source_records.c.id == profile_members.c.rid)
        .join(sources, sources.c.id == source_records.c.source_id)
    )
    with engine.connect() as connection:
        return {f"{s}:{r}": int(p) for s, r, p in connection.execute(statement)}


def rid(engine: Engine, label: str) -> int:
    source, record_id = label.split(":")
    statement = (
        select(source_records.c.id)
        .join(sources, sources.c.id == source_records.c.source_id)
        .where(sources.c.name == source, source_records.c.record_id == record_id)
    )
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def ledger(engine: Engine) -> list[tuple[str, str]]:
    """(action, actor) of every ledger entry a person's request wrote, oldest first; each
    entry that re-checked records names its resolve run."""
    people = ("manual_merge", "unmerge", "never_merge", "review_accept", "review_reject", "revoke")
    statement = (
        select(merge_ledger.c.action, merge_ledger.c.actor, merge_ledger.c.resolve_run_id)
        .where(merge_ledger.c.action.in_(people))
        .order_by(merge_ledger.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    quiet = {"never_merge", "review_reject"}  # records in two profiles: nothing to re-check
    assert all(run is not None for action, _, run in rows if action not in quiet)
    return [(str(action), str(actor)) for action, actor, _ in rows]


def decisions(engine: Engine) -> list[tuple[int, str, bool]]:
    """(id, kind, active) of every decision."""
    statement = select(
        identity_decisions.c.id, identity_decisions.c.kind, identity_decisions.c.revoked_at
    ).order_by(identity_decisions.c.id)
    with engine.connect() as connection:
        return [
            (int(i), str(k), revoked is None) for i, k, revoked in connection.execute(statement)
        ]


@pytest.fixture
def store(database_url: str, engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Two sources imported and resolved; returns where each record landed."""
    (tmp_path / "crm.csv").write_text(HEADER + CRM, encoding="utf-8")
    (tmp_path / "webshop.csv").write_text(HEADER + WEBSHOP, encoding="utf-8")
    kimlik(database_url, "init")
    for source in ("crm", "webshop"):
        path = str(tmp_path / f"{source}.csv")
        kimlik(database_url, "import", path, "--source", source, "--region", "TR")
    kimlik(database_url, "resolve")
    placed = where(engine)
    assert placed["crm:C-001"] == placed["webshop:W-001"]  # the same person
    assert placed["crm:C-003"] == placed["webshop:W-003"]
    assert placed["crm:C-002"] != placed["webshop:W-002"]  # a family email is not a person
    assert placed["crm:C-004"] != placed["webshop:W-004"]  # birth dates disagree
    return placed


def test_unmerge_splits_the_record_out_and_full_resolve_keeps_it_out(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    profile = store["crm:C-001"]
    result = kimlik(
        database_url, "unmerge", str(profile), "webshop:W-001", "--reason", "two people",
        "--actor", "alice",
    )  # fmt: skip
    assert "webshop:W-001" in result.output and "split" in result.output
    after = where(engine)
    assert after["crm:C-001"] == profile  # the rest keep the profile id
    assert after["webshop:W-001"] not in (profile, None)
    kimlik(database_url, "resolve", "--full")
    assert where(engine) == after
    assert decisions(engine) == [(1, "never_merge", True)]
    assert ledger(engine) == [("unmerge", "alice")]
    listed = kimlik(database_url, "decisions", "list").output
    assert "never_merge" in listed and "webshop:W-001" in listed and "two people" in listed


def test_never_merge_splits_a_linked_pair_and_revoke_brings_it_back(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    kimlik(database_url, "never-merge", "crm:C-003", "webshop:W-003", "--actor", "bob")
    apart = where(engine)
    assert apart["crm:C-003"] != apart["webshop:W-003"]
    kimlik(database_url, "resolve", "--full")
    assert where(engine)["crm:C-003"] != where(engine)["webshop:W-003"]
    # Merging the two profiles now is refused: the never-merge must be revoked first.
    refused = kimlik(
        database_url, "merge", str(apart["crm:C-003"]), str(apart["webshop:W-003"]), code=1
    )
    assert "never-merge" in refused.output and "revoke" in refused.output
    kimlik(database_url, "decisions", "revoke", "1", "--actor", "bob")
    assert where(engine)["crm:C-003"] == where(engine)["webshop:W-003"]
    kimlik(database_url, "resolve", "--full")
    together = where(engine)
    assert together["crm:C-003"] == together["webshop:W-003"]
    assert decisions(engine) == [(1, "never_merge", False)]
    assert ledger(engine) == [("never_merge", "bob"), ("revoke", "bob")]
    again = kimlik(database_url, "decisions", "revoke", "1", code=1)
    assert "already revoked" in again.output


def test_merge_of_two_profiles_survives_full_resolve_and_revoking_undoes_it(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    ayse, elif_ = store["crm:C-001"], store["crm:C-005"]
    result = kimlik(database_url, "merge", str(ayse), str(elif_), "--actor", "carol")
    assert "merged profiles" in result.output
    group = ("crm:C-001", "webshop:W-001", "crm:C-005")
    assert {where(engine)[label] for label in group} == {ayse}
    kimlik(database_url, "resolve", "--full")
    assert {where(engine)[label] for label in group} == {ayse}  # names and dates disagree
    chained = kimlik(database_url, "never-merge", "crm:C-005", "webshop:W-001", code=1)
    assert "merge decision(s) 1, 2 join these records" in chained.output
    # The absorbed profile's id still leads to the merged one.
    kimlik(database_url, "unmerge", str(elif_), "crm:C-005", "--actor", "carol")
    after = where(engine)
    assert after["crm:C-001"] == after["webshop:W-001"] == ayse
    assert after["crm:C-005"] != ayse
    # The merge pinned W-001 to C-001 too (1: C-001~C-005, 2: C-001~W-001); splitting
    # C-005 out revokes its own decision and keeps the pin.
    assert [d for d in decisions(engine) if d[1] == "merge"] == [
        (1, "merge", False),
        (2, "merge", True),
    ]
    assert ledger(engine) == [("manual_merge", "carol"), ("unmerge", "carol")]


def test_merging_two_profiles_of_several_records_holds_them_all_until_revoked(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    """Ayşe (C-001, W-001) and John (C-003, W-003): every record of both stays in one
    profile through ``resolve --full``, though the model links only within each pair and
    the names contradict; revoking the request's decisions splits them again."""
    before = where(engine)
    ayse, john = store["crm:C-001"], store["crm:C-003"]
    result = kimlik(database_url, "merge", str(ayse), str(john), "--actor", "erin")
    written = [i for i, kind, active in decisions(engine) if kind == "merge" and active]
    assert len(written) == 3  # C-001 pinned to W-001, C-003 and W-003
    assert f"take it back with: kimlik decisions revoke {' '.join(map(str, written))}" in (
        result.output
    )
    group = ("crm:C-001", "webshop:W-001", "crm:C-003", "webshop:W-003")
    assert {where(engine)[label] for label in group} == {ayse}
    kimlik(database_url, "resolve", "--full")
    assert {where(engine)[label] for label in group} == {ayse}
    kimlik(database_url, "resolve")
    assert {where(engine)[label] for label in group} == {ayse}
    kimlik(database_url, "decisions", "revoke", *map(str, written), "--actor", "erin")
    kimlik(database_url, "resolve", "--full")
    assert partition(where(engine)) == partition(before)
    assert where(engine)["crm:C-001"] == ayse  # the kept profile keeps its id
    assert [action for action, _ in ledger(engine)] == ["manual_merge", "revoke"]


def test_revoking_a_merge_restores_the_previous_profiles(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    before = where(engine)
    kimlik(database_url, "merge", str(store["crm:C-004"]), str(store["webshop:W-004"]))
    assert where(engine)["crm:C-004"] == where(engine)["webshop:W-004"]
    ids = [str(i) for i, kind, active in decisions(engine) if kind == "merge" and active]
    kimlik(database_url, "decisions", "revoke", *ids)
    kimlik(database_url, "resolve", "--full")
    after = where(engine)
    assert after["crm:C-004"] != after["webshop:W-004"]
    assert partition(after) == partition(before)
    assert [action for action, _ in ledger(engine)] == ["manual_merge", "revoke"]


def partition(placed: dict[str, int]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for label, profile in placed.items():
        groups.setdefault(profile, set()).add(label)
    return {frozenset(group) for group in groups.values()}


def add_review_item(engine: Engine, left: str, right: str, weight: float) -> int:
    a, b = sorted((rid(engine, left), rid(engine, right)))
    values = {
        "record_a": a,
        "record_b": b,
        "weight": weight,
        "evidence": {"first_name": "exact", "birth_date": "different"},
        "status": "open",
        "created_at": dt.datetime.now(dt.UTC),
    }
    with engine.begin() as connection:
        return int(
            connection.execute(insert(review_items).values(**values)).inserted_primary_key[0]
        )


def review_status(engine: Engine, item: int) -> str:
    with engine.connect() as connection:
        statement = select(review_items.c.status).where(review_items.c.id == item)
        return str(connection.execute(statement).scalar_one())


def test_review_list_accept_and_reject(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    kemal = add_review_item(engine, "crm:C-004", "webshop:W-004", 1.5)
    family = add_review_item(engine, "crm:C-002", "webshop:W-002", -1.0)
    listed = kimlik(database_url, "review", "list").output
    for text in ("crm:C-004", "webshop:W-004", "Kemal", "1970-05-05", "1971-08-20", "birth_date"):
        assert text in listed
    assert listed.index("webshop:W-004") < listed.index("webshop:W-002")  # strongest first
    kimlik(database_url, "review", "accept", str(kemal), "--actor", "dana")
    assert where(engine)["crm:C-004"] == where(engine)["webshop:W-004"]
    kimlik(database_url, "review", "reject", str(family), "--actor", "dana")
    kimlik(database_url, "resolve", "--full")
    after = where(engine)
    assert after["crm:C-004"] == after["webshop:W-004"]
    assert after["crm:C-002"] != after["webshop:W-002"]
    assert review_status(engine, kemal) == "accepted"
    assert review_status(engine, family) == "rejected"
    assert "No open review items" in kimlik(database_url, "review", "list").output
    everything = kimlik(database_url, "review", "list", "--status", "all").output
    assert "accepted" in everything and "rejected" in everything and "dana" in everything
    twice = kimlik(database_url, "review", "accept", str(family), code=1)
    assert f"review item {family} is already rejected" in twice.output
    assert [kind for _, kind, _ in decisions(engine)] == ["merge", "never_merge"]
    # Taking the acceptance back reopens the item and the model decides again.
    kimlik(database_url, "decisions", "revoke", "1", "--actor", "dana")
    assert review_status(engine, kemal) == "open"
    assert where(engine)["crm:C-004"] != where(engine)["webshop:W-004"]
    assert ledger(engine) == [
        ("review_accept", "dana"),
        ("review_reject", "dana"),
        ("revoke", "dana"),
    ]


def test_review_dismiss_closes_without_a_decision(
    database_url: str, engine: Engine, store: dict[str, int]
) -> None:
    kemal = add_review_item(engine, "crm:C-004", "webshop:W-004", 1.5)
    assert "kimlik review dismiss" in kimlik(database_url, "review", "list").output
    done = kimlik(database_url, "review", "dismiss", str(kemal), "--actor", "dana").output
    assert f"review item {kemal} dismissed" in done and "revoke" not in done
    assert review_status(engine, kemal) == "dismissed"
    assert decisions(engine) == []  # nothing pinned: the model keeps deciding
    kimlik(database_url, "resolve", "--full")
    assert review_status(engine, kemal) == "dismissed"  # not queued again
    listed = kimlik(database_url, "review", "list", "--status", "dismissed").output
    assert "crm:C-004" in listed and "dana" in listed
    with engine.connect() as connection:
        statement = select(merge_ledger.c.action, merge_ledger.c.actor, merge_ledger.c.evidence)
        rows = connection.execute(statement.where(merge_ledger.c.action == "review_dismiss"))
        assert [(a, b, e["review_item"]) for a, b, e in rows] == [("review_dismiss", "dana", kemal)]
    twice = kimlik(database_url, "review", "dismiss", str(kemal), code=1)
    assert f"review item {kemal} is already dismissed by dana" in twice.output


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["unmerge", "999999", "crm:C-001"], "999999"),
        (["unmerge", "PROFILE", "crm:NOPE"], "crm:NOPE"),
        (["unmerge", "PROFILE", "ghost:C-001"], "ghost:C-001"),
        (["unmerge", "PROFILE", "not-a-ref"], "not-a-ref"),
        (["unmerge", "PROFILE", "crm:C-003"], "crm:C-003"),  # in another profile
        (["never-merge", "crm:C-001", "424242"], "424242"),
        (["never-merge", "crm:C-001", "crm:C-001"], "crm:C-001"),
        (["merge", "PROFILE", "abc"], "abc"),
        (["merge", "PROFILE", "PROFILE"], "already one"),
        (["review", "accept", "31337"], "31337"),
        (["review", "reject", "31337"], "31337"),
        (["review", "dismiss", "31337"], "31337"),
        (["decisions", "revoke", "31337"], "31337"),
    ],
)
def test_bad_references_are_one_line_errors(
    database_url: str, engine: Engine, store: dict[str, int], args: list[str], named: str
) -> None:
    profile = str(store["crm:C-001"])
    result = kimlik(database_url, *(profile if a == "PROFILE" else a for a in args), code=1)
    assert named in result.output and "error:" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert decisions(engine) == [] and ledger(engine) == []


def test_actor_defaults_to_the_os_user(
    database_url: str, engine: Engine, store: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "zeynep")
    kimlik(database_url, "never-merge", "crm:C-004", "webshop:W-005")
    ids = (rid(engine, "crm:C-004"), rid(engine, "webshop:W-005"))

    def no_user() -> str:
        raise OSError("no user name")

    monkeypatch.setattr(getpass, "getuser", no_user)
    kimlik(database_url, "never-merge", str(ids[0]), "crm:C-005")  # store ids work too
    assert ledger(engine) == [("never_merge", "zeynep"), ("never_merge", "cli")]
    with engine.connect() as connection:
        actors = connection.execute(
            select(identity_decisions.c.actor).order_by(identity_decisions.c.id)
        ).scalars()
        assert list(actors) == ["zeynep", "cli"]
