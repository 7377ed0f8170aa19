"""Where one page's server time goes: its SQL statements, timed, and the plans of the slowest.

Why: ``run.py`` says a page is slow; its author needs to know which query or which Python
step makes it so. This serves the page in-process (the app ``kimlik serve`` runs, through
Starlette's test client, signed in as the bench admin), records every statement the
request sends with its time, and prints ``EXPLAIN (ANALYZE, BUFFERS)`` for the slowest.
What the statements do not account for is Python: templates, masking, the API's work.

    .venv/bin/python bench/web/trace.py "/profiles/123" "/search?q=yilm" [--explain 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import build  # noqa: E402
import run  # noqa: E402


def trace(url: str, paths: list[str], explain: int, repeat: int) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from kimlik.app import create_app
    from kimlik.config import load_settings

    statements: list[tuple[float, str, Any]] = []
    starts: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        starts[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        spent = (time.perf_counter() - starts.pop(id(cursor), time.perf_counter())) * 1000
        statements.append((spent, statement, params))

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    app = create_app(load_settings(database_url=url, stitch=False))
    with TestClient(app) as client:
        client.post("/login", data={"email": run.ADMIN, "password": run.PASSWORD})
        for path in paths:
            for attempt in range(repeat):
                statements.clear()
                started = time.perf_counter()
                answer = client.get(path)
                total = (time.perf_counter() - started) * 1000
                if attempt < repeat - 1:
                    continue  # warm-ups: caches and connections as a running server has them
                sql = sum(spent for spent, _, _ in statements)
                print(f"\n== {path}: HTTP {answer.status_code}, "
                      f"{answer.headers.get('server-timing', '')}, {total:.1f} ms in all, "
                      f"{len(statements)} statements, {sql:.1f} ms of SQL")  # fmt: skip
                ranked = sorted(statements, key=lambda s: -s[0])
                for spent, statement, _ in ranked[:8]:
                    print(f"  {spent:8.1f} ms  {' '.join(statement.split())[:150]}")
                for spent, statement, params in ranked[:explain]:
                    print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of the {spent:.1f} ms statement:")
                    engine = app.state.kimlik.engine
                    with engine.connect() as connection:
                        plan = connection.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                        )
                        for (line,) in plan:
                            print("    " + line)
    event.remove(Engine, "before_cursor_execute", before)
    event.remove(Engine, "after_cursor_execute", after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="page paths, e.g. /profiles/42")
    parser.add_argument("--database", default=build.DEFAULT_SERVER)
    parser.add_argument("--name", default=build.DEFAULT_NAME)
    parser.add_argument("--explain", type=int, default=1, help="plans of the N slowest")
    parser.add_argument("--repeat", type=int, default=2, help="requests per path (last kept)")
    args = parser.parse_args(argv)
    trace(build.database_url(args.database, args.name), args.paths, args.explain, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
