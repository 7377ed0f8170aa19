"""Real-time identity stitching: collected events onto people and profiles.

A round takes the events not looked at yet, oldest first, and per source:
1. identify traits (merged over what the person sent before) become people records of
   the write key's source, with the userId as record id, through the same cleaner as a
   file import; every userId seen gets a record, so its events have somewhere to go;
2. group calls become company records; alias calls link ``previousId`` to ``userId``;
3. each (anonymousId, userId) pair seen links a device to a user;
4. every event is attached to a person record: its userId's, or for an anonymous event
   its device's user — only while the device has carried at most
   ``stitch_max_users_per_device`` users (a shared family computer must not merge its
   users' browsing). A device's earlier anonymous events follow when it gets its user;
5. when people records changed, an incremental ``kimlik resolve`` links them into
   profiles with the same model, rules, vetoes and never-merge decisions as the CLI.
   Aliases then merge the two users' profiles as a recorded decision, unless a person
   said "never merge".

Events hang off person records, not profiles, so when profiles later merge or split,
the history moves with its records. A crash mid-round leaves the events pending; the
next round does them again, and every step is idempotent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from kimlik.collect import stitch_repository as repo
from kimlik.collect.protocol import identifier
from kimlik.collect.traits import company_row, message_traits, person_row
from kimlik.config import Settings
from kimlik.errors import DecisionError, KimlikError
from kimlik.identity.decisions import merge_profiles
from kimlik.identity.engine_settings import engine_settings
from kimlik.identity.service import resolve
from kimlik.ingest.mapping import Mapping
from kimlik.ingest.service import ImportResult, import_rows

log = logging.getLogger("kimlik.stitch")
ROUND_SIZE = 20_000
#: the stitcher's own match index files: PREFIX + pid + "-" + instance
_INDEX_PREFIX = "kimlik-stitch-"
#: the custom attribute that holds an SDK person's userId: it identifies them on its own
USER_ID = "user_id"
_PEOPLE = Mapping(kind="people", id_column="record_id")
_COMPANIES = Mapping(kind="companies", id_column="company_id")


@dataclass(slots=True)
class Round:
    """What one round did."""

    events: int = 0
    attributed: int = 0
    people_written: int = 0
    companies_written: int = 0
    aliases_merged: int = 0
    resolved: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _SourceWork:
    """One source's share of a round."""

    source_id: int
    name: str
    events: list[dict[str, Any]] = field(default_factory=list)
    traits: dict[str, dict[str, Any]] = field(default_factory=dict)  # userId -> merged
    users: set[str] = field(default_factory=set)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: set[tuple[str, str]] = field(default_factory=set)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (previousId, userId)


class Stitcher:
    """Runs rounds, on demand (tests, the CLI) or on a thread beside the server."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        # SDK people are identified by their userId even with no name or contact
        identifiers = [*settings.resolve_identifiers, USER_ID]
        self._import_settings = settings.model_copy(update={"resolve_identifiers": identifiers})
        self._matcher = engine_settings(settings)
        self._own_index: Path | None = None
        if self._matcher.index_path is None and settings.resolve_index != "memory":
            # A server database keeps no match index by default, and without one every
            # round would reload every record's features. The stitcher keeps its own, for
            # the life of this process; a resolve run elsewhere makes it rebuild once.
            folder = Path(tempfile.gettempdir())
            _remove_orphans(folder)
            self._own_index = folder / f"{_INDEX_PREFIX}{os.getpid()}-{id(self):x}.duckdb"
            self._matcher = dataclasses.replace(self._matcher, index_path=str(self._own_index))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: rounds that failed (and were retried); the thread itself never dies of one
        self.failures = 0

    # --- one round ----------------------------------------------------------------------

    def run_once(self, limit: int = ROUND_SIZE) -> Round:
        """Stitch up to ``limit`` pending events; returns what was done."""
        done = Round()
        with self.engine.connect() as connection:
            events = repo.pending(connection, limit)
            names = repo.source_names(connection, {e["source_id"] for e in events})
        if not events:
            return done
        done.events = len(events)
        work: dict[int, _SourceWork] = {}
        for event in events:
            source_id = event["source_id"]
            share = work.setdefault(source_id, _SourceWork(source_id, names[source_id]))
            self._read(share, event)
        changed = False
        for share in work.values():
            changed |= self._write_records(share, done)
        if changed:
            resolve(self.engine, self._matcher, actor="stitch", train=False)
            done.resolved = True
        for share in work.values():
            self._attach(share, done)
            self._merge_aliases(share, done)
        return done

    def _read(self, share: _SourceWork, event: dict[str, Any]) -> None:
        share.events.append(event)
        payload = event["payload"] or {}
        user, anonymous = event["user_id"], event["anonymous_id"]
        if user is not None:
            share.users.add(user)
            if anonymous is not None:
                share.devices.add((anonymous, user))
        kind = event["type"]
        if kind == "identify" and user is not None:
            traits = message_traits(payload)
            if traits:
                share.traits.setdefault(user, {}).update(traits)
        elif kind == "group":
            group_id = identifier(payload.get("groupId"))
            if group_id is not None:
                traits = message_traits(payload)
                share.companies.setdefault(group_id, {}).update(traits)
        elif kind == "alias" and user is not None:
            previous = identifier(payload.get("previousId"))
            if previous is not None and previous != user:
                share.aliases.append((previous, user))
                share.devices.add((previous, user))

    def _write_records(self, share: _SourceWork, done: Round) -> bool:
        """People and company records of this share; True when any person changed."""
        with self.engine.connect() as connection:
            known = repo.people_of(connection, share.source_id, sorted(share.users))
        rows = []
        for user in sorted(share.users):
            stored = known.get(user)
            traits = share.traits.get(user)
            if stored is not None and not traits:
                continue  # nothing new about a person we have
            row = dict(stored[1]) if stored is not None else {}
            row.update(person_row(traits or {}))
            row["record_id"] = user
            row[USER_ID] = user
            rows.append(row)
        changed = False
        if rows:
            result = self._store(share, _PEOPLE, rows)
            done.people_written += result.new + result.updated
            changed = result.new + result.updated > 0
            if result.rejected:
                done.notes.append(f"{share.name}: {result.rejected} person row(s) rejected")
        if share.companies:
            companies = [company_row(g, t) for g, t in sorted(share.companies.items())]
            result = self._store(share, _COMPANIES, companies)
            done.companies_written += result.new + result.updated
        return changed

    def _store(
        self, share: _SourceWork, mapping: Mapping, rows: list[dict[str, Any]]
    ) -> ImportResult:
        """Rows of the share's source through the file import's pipeline, as one run."""
        kind = mapping.kind or "people"
        return import_rows(
            self.engine, self._import_settings, source=share.name, kind=kind, rows=rows,
            mapping=mapping, label="sdk",
        )  # fmt: skip

    def _attach(self, share: _SourceWork, done: Round) -> None:
        """Each event onto its person record; devices' earlier events onto their user."""
        now = dt.datetime.now(dt.UTC)
        limit = self.settings.stitch_max_users_per_device
        with self.engine.begin() as connection:
            anonymous = sorted(
                {e["anonymous_id"] for e in share.events if e["user_id"] is None}
                | {a for a, _ in share.devices}
            )
            known = repo.device_owners(connection, share.source_id, anonymous)
            new_links = {(a, u) for a, u in share.devices if u not in known.get(a, ())}
            repo.link_devices(connection, share.source_id, new_links, now)
            owners = repo.device_owners(connection, share.source_id, anonymous)
            users = set(share.users) | {u for us in owners.values() for u in us}
            records = repo.record_ids(connection, share.source_id, sorted(users))
            assignments: list[tuple[int, int | None]] = []
            for event in share.events:
                user = event["user_id"]
                if user is None:
                    user = _device_user(owners.get(event["anonymous_id"], []), limit)
                rid = records.get(user) if user is not None else None
                assignments.append((event["id"], rid))
                done.attributed += rid is not None
            repo.mark_stitched(connection, assignments, now)
            found = {}  # devices that just met a user: their earlier anonymous events
            for device in {a for a, _ in new_links}:
                owner = _device_user(owners.get(device, []), limit)
                if owner is not None and owner in records:
                    found[device] = records[owner]
            done.attributed += repo.attribute_devices(connection, share.source_id, found)

    def _merge_aliases(self, share: _SourceWork, done: Round) -> None:
        """An alias says two user ids are one person: merge their profiles, on record."""
        for previous, user in share.aliases:
            with self.engine.connect() as connection:
                both = repo.people_of(connection, share.source_id, [previous, user])
                if len(both) < 2:
                    continue  # previousId was only ever anonymous: the device link covers it
                rids = [both[previous][0], both[user][0]]
                profiles = repo.profiles_of(connection, rids)
            if len(profiles) < 2 or profiles[rids[0]] == profiles[rids[1]]:
                continue  # already one person (or not resolved yet: the next round)
            try:
                merge_profiles(
                    self.engine,
                    self._matcher,
                    str(profiles[rids[0]]),
                    str(profiles[rids[1]]),
                    actor="stitch",
                    reason="alias",
                )
                done.aliases_merged += 1
            except DecisionError as exc:
                done.notes.append(f"alias not merged: {exc.__class__.__name__}")

    # --- the background thread ------------------------------------------------------------

    def start(self) -> None:
        """Run rounds on a daemon thread until ``stop``."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="kimlik-stitch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.close()

    def close(self) -> None:
        """Remove the stitcher's own match index, if it kept one."""
        if self._own_index is not None:
            for path in (self._own_index, Path(f"{self._own_index}.wal")):
                path.unlink(missing_ok=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.run_once()
            except Exception as exc:  # the thread must outlive any round
                # the events stay pending and the next round tries again; the type only,
                # as a message may quote personal data
                expected = isinstance(exc, KimlikError | SQLAlchemyError)
                log.log(
                    logging.WARNING if expected else logging.ERROR,
                    "stitching round failed: %s",
                    exc.__class__.__name__,
                    exc_info=None if expected else exc,
                )
                self.failures += 1
                self._stop.wait(max(self.settings.stitch_interval, 1.0))
                continue
            if done.events < ROUND_SIZE:
                self._stop.wait(self.settings.stitch_interval)


def _remove_orphans(folder: Path) -> None:
    """Delete match indexes of stitchers whose process is gone (killed, crashed)."""
    for path in folder.glob(f"{_INDEX_PREFIX}*"):
        pid = path.name[len(_INDEX_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except (PermissionError, OverflowError):
            continue  # alive and someone else's, or not a pid


def _device_user(owners: list[str], limit: int) -> str | None:
    """The user an anonymous event on this device belongs to, if the device is not shared:
    its latest user while it has carried at most ``limit``."""
    if not owners or len(owners) > limit:
        return None
    return owners[-1]


__all__ = ["Round", "Stitcher"]
