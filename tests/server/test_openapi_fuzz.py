"""schemathesis against /openapi.json: whatever it sends, no answer is a 500.

Every operation is called as an admin (so requests reach the handlers, not only the
permission check) with generated parameters and bodies, valid and invalid. SQLite only:
the handlers are the same on both stores, and the other API tests run them on PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.server.conftest import LiveServer

EXAMPLES = 20


def test_no_request_gets_a_500(live_server: LiveServer, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the fuzz run needs one store; SQLite is enough")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live_server.role_keys['admin']}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=live_server.url, headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:200]}"
                )

        call()
    assert failures == []
