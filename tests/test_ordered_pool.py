"""How many workers a piece of work gets."""

from __future__ import annotations

import pytest

from kimlik import ordered_pool
from kimlik.ordered_pool import MAX_WORKERS, MIN_PARALLEL_ITEMS, mapped_in_order, workers_for


def test_small_work_and_single_cpus_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ordered_pool, "usable_cpus", lambda: 2)
    assert workers_for(MIN_PARALLEL_ITEMS - 1) == 0
    assert workers_for(MIN_PARALLEL_ITEMS) == 2
    monkeypatch.setattr(ordered_pool, "usable_cpus", lambda: 16)
    assert workers_for(10**6) == MAX_WORKERS
    monkeypatch.setattr(ordered_pool, "usable_cpus", lambda: 1)
    assert workers_for(10**6) == 0


def test_results_come_back_in_order_with_their_context() -> None:
    items = [(f"item {n}", n) for n in range(9)]
    pooled = list(mapped_in_order(abs, ((c, -n) for c, n in items), workers=2, doing="x"))
    assert pooled == items
    assert list(mapped_in_order(abs, ((c, -n) for c, n in items), workers=0, doing="x")) == items
