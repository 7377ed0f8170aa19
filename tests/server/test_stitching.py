"""Stitching rules, round by round: traits, devices, aliases, groups, shared identifiers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select

from kimlik.access.service import create_write_key
from kimlik.collect.service import EventRate, WriteKeys, collect
from kimlik.collect.stitcher import Stitcher
from kimlik.config import Settings
from kimlik.identity.decisions import never_merge, unmerge
from kimlik.identity.engine_settings import engine_settings
from kimlik.store.server_tables import events
from kimlik.store.tables import companies, profile_members, source_records


class Sdk:
    """Sends messages the way an SDK's batch would, and runs stitching rounds."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.key = create_write_key(engine, "web", "site", "test").token
        self.keys, self.rate = WriteKeys(engine), EventRate(None)
        self.stitcher = Stitcher(engine, settings)
        self.count = 0

    def send(self, *messages: dict[str, Any]) -> None:
        batch = []
        for message in messages:
            self.count += 1
            batch.append({"messageId": f"m{self.count}", **message})
        collected = collect(
            self.engine, self.settings, self.keys, self.rate,
            body=orjson.dumps({"batch": batch}), content_encoding=None, single=None,
            basic_user=self.key,
        )  # fmt: skip
        assert not collected.refused

    def stitch(self) -> None:
        self.stitcher.run_once()

    def person(self, user: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = (
                connection.execute(select(source_records).where(source_records.c.record_id == user))
                .mappings()
                .one()
            )
        return dict(row)

    def profile_of_user(self, user: str) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(profile_members.c.profile_id)
                    .join(source_records, source_records.c.id == profile_members.c.rid)
                    .where(source_records.c.record_id == user)
                ).scalar_one()
            )

    def owners(self) -> dict[str, str | None]:
        """messageId -> the userId (record id) its event is attached to."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(events.c.message_id, source_records.c.record_id).outerjoin(
                    source_records, source_records.c.id == events.c.person_record_id
                )
            ).all()
        return {str(m): (str(r) if r is not None else None) for m, r in rows}


@pytest.fixture
def sdk(engine: Engine, settings: Settings) -> Iterator[Sdk]:
    made = Sdk(engine, settings.model_copy(update={"stitch": False}))
    yield made
    made.stitcher.close()


def identify(user: str, anonymous: str | None = None, **traits: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "identify", "userId": user, "traits": traits}
    if anonymous:
        message["anonymousId"] = anonymous
    return message


def test_traits_accumulate_over_identify_calls_and_are_standardized(sdk: Sdk) -> None:
    sdk.send(identify("u1", email="AYSE@Example.com", firstName="ayşe", phone="0532 111 22 33",
                      address={"city": "Ankara", "country": "TR", "postalCode": "06100"}))  # fmt: skip
    sdk.stitch()
    sdk.send(identify("u1", plan="pro", lastName="YILMAZ"))  # upper case, as some apps send
    sdk.stitch()
    person = sdk.person("u1")
    # the file import's standardizers: the mailbox keeps its case, names get title case
    assert (person["email"], person["email_key"]) == ("AYSE@example.com", "ayse@example.com")
    assert (person["first_name"], person["last_name"]) == ("Ayşe", "Yilmaz")
    assert (person["phone"], person["city"], person["country"], person["postal_code"]) == (
        "+905321112233",
        "Ankara",
        "TR",
        "06100",
    )
    assert person["custom"]["plan"] == "pro" and person["version"] == 2


def test_rudderstack_traits_come_from_the_context(sdk: Sdk) -> None:
    sdk.send(
        {"type": "identify", "userId": "r1", "context": {"traits": {"email": "r1@example.com"}}}
    )
    sdk.stitch()
    assert sdk.person("r1")["email"] == "r1@example.com"


def test_anonymous_browsing_joins_the_user_once_the_device_signs_in(sdk: Sdk) -> None:
    sdk.send({"type": "page", "anonymousId": "d1", "name": "Home"})
    sdk.stitch()
    assert sdk.owners() == {"m1": None}  # an anonymous visitor, nobody yet
    sdk.send(identify("u1", "d1", email="u1@example.com"))
    sdk.stitch()
    sdk.send({"type": "track", "anonymousId": "d1", "event": "Viewed"})
    sdk.stitch()
    assert sdk.owners() == {"m1": "u1", "m2": "u1", "m3": "u1"}


def test_a_shared_device_does_not_merge_its_users(sdk: Sdk) -> None:
    sdk.send(identify("mother", "family-pc", email="anne@example.com", firstName="Ayşe"))
    sdk.send({"type": "page", "anonymousId": "family-pc", "name": "A"})
    sdk.stitch()
    sdk.send(identify("son", "family-pc", email="oglum@example.com", firstName="Emre"))
    sdk.send({"type": "page", "anonymousId": "family-pc", "name": "B"})
    sdk.stitch()
    owners = sdk.owners()
    assert owners["m2"] == "mother"  # before the device was shared
    assert owners["m4"] is None  # after: nobody can tell whose it is
    assert sdk.profile_of_user("mother") != sdk.profile_of_user("son")


def test_a_family_email_does_not_merge_different_people(sdk: Sdk) -> None:
    shared = {"email": "aile@example.com", "phone": "+905321112233", "lastName": "Yılmaz"}
    sdk.send(identify("a", firstName="Ayşe", **shared), identify("b", firstName="Mehmet", **shared))
    sdk.stitch()
    assert sdk.profile_of_user("a") != sdk.profile_of_user("b")


def test_an_alias_merges_two_users_unless_a_person_said_never(sdk: Sdk) -> None:
    sdk.send(identify("old", email="old@example.com", firstName="Can"),
             identify("new", email="new@example.com", firstName="Selin"),
             identify("x", email="x@example.com", firstName="Zeynep"),
             identify("y", email="y@example.com", firstName="Burak"))  # fmt: skip
    sdk.stitch()
    never_merge(sdk.engine, engine_settings(sdk.settings), "web:x", "web:y", "steward")
    sdk.send({"type": "alias", "previousId": "old", "userId": "new"},
             {"type": "alias", "previousId": "x", "userId": "y"})  # fmt: skip
    sdk.stitch()
    assert sdk.profile_of_user("old") == sdk.profile_of_user("new")
    assert sdk.profile_of_user("x") != sdk.profile_of_user("y")


def test_events_move_with_their_records_through_merges_and_splits(sdk: Sdk) -> None:
    sdk.send(identify("p", email="p@example.com", firstName="Fatma"),
             identify("q", email="q@example.com", firstName="Elif"),
             {"type": "track", "userId": "q", "event": "Order Completed"})  # fmt: skip
    sdk.send({"type": "alias", "previousId": "p", "userId": "q"})
    sdk.stitch()
    merged = sdk.profile_of_user("p")
    assert sdk.profile_of_user("q") == merged
    unmerge(sdk.engine, engine_settings(sdk.settings), str(merged), "web:q", "steward")
    with sdk.engine.connect() as connection:
        order = connection.execute(
            select(profile_members.c.profile_id)
            .join(events, events.c.person_record_id == profile_members.c.rid)
            .where(events.c.event == "Order Completed")
        ).scalar_one()
    assert order == sdk.profile_of_user("q") != sdk.profile_of_user("p")


def test_group_calls_make_company_records(sdk: Sdk) -> None:
    sdk.send({"type": "group", "userId": "u", "groupId": "acme",
              "traits": {"name": "Acme", "industry": "Tech", "employees": 40}})  # fmt: skip
    sdk.stitch()
    with sdk.engine.connect() as connection:
        name = connection.execute(
            select(companies.c.name).where(companies.c.record_id == "acme")
        ).scalar_one()
    assert name == "Acme"
    assert sdk.owners() == {"m1": "u"}


def test_a_second_round_over_the_same_events_changes_nothing(sdk: Sdk) -> None:
    sdk.send(identify("u", email="u@example.com"))
    sdk.stitch()
    with sdk.engine.begin() as connection:
        connection.execute(events.update().values(stitched_at=None))  # as after a crash
    done = sdk.stitcher.run_once()
    assert done.events == 1 and done.people_written == 0 and not done.resolved
    with sdk.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(source_records)).scalar_one() == 1
        )


def test_the_quality_report_counts_collected_refused_and_anonymous_events(sdk: Sdk) -> None:
    from kimlik.quality.service import build_report

    sdk.send(identify("u", email="u@example.com"), {"type": "page", "anonymousId": "stranger"})
    collect(
        sdk.engine, sdk.settings, sdk.keys, sdk.rate,
        body=orjson.dumps({"batch": [{"type": "track", "userId": "u", "messageId": "x"}]}),
        content_encoding=None, single=None, basic_user=sdk.key,
    )  # fmt: skip
    before = build_report(sdk.engine).sources[0].collected
    assert before is not None and (before.events, before.pending) == (2, 2)
    assert before.refused == {"missing_field": 1}
    sdk.stitch()
    after = build_report(sdk.engine).sources[0].collected
    assert after is not None and (after.events, after.on_a_person, after.pending) == (2, 1, 0)


def test_real_time_resolving_never_trains_however_large_the_store_grew(sdk: Sdk) -> None:
    """Training (and the full run it brings) is a batch job: the stitcher and people's
    decisions score with the stored model, even one the store has outgrown."""
    import dataclasses

    from kimlik.identity.repository import latest_model
    from kimlik.identity.service import resolve
    from kimlik.resolve.engine import SHIPPED

    names = ["Ayşe", "Mehmet", "Zeynep", "Mustafa", "Elif", "Emre", "Fatma", "Burak"]
    sdk.send(
        *(
            identify(f"u{n}", email=f"u{n}@example.com", firstName=name)
            for n, name in enumerate(names)
        )
    )
    sdk.stitch()  # the stitcher's own resolve runs without training
    small = dataclasses.replace(engine_settings(sdk.settings), min_training_records=4)
    first = resolve(sdk.engine, small, train=False)
    again = resolve(sdk.engine, small, train=False)
    with sdk.engine.connect() as connection:
        model = latest_model(connection)
    assert not first.trained and not again.trained
    assert model is not None and model[SHIPPED]
    assert resolve(sdk.engine, small).trained  # a resolve run may: the model is outgrown


def test_a_killed_stitchers_match_index_is_removed_by_the_next(tmp_path: Path) -> None:
    from kimlik.collect.stitcher import _remove_orphans

    dead = tmp_path / "kimlik-stitch-999999999-1.duckdb"  # no such process
    alive = tmp_path / f"kimlik-stitch-{os.getpid()}-1.duckdb"
    for path in (dead, alive):
        path.write_bytes(b"index")
    _remove_orphans(tmp_path)
    assert not dead.exists() and alive.exists()
