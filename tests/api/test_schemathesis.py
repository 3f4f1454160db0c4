"""Property-based fuzzing of every documented operation from the app's own OpenAPI document.

Schemathesis generates requests from the schema, both valid ones and deliberately
invalid ones; none may get a 5xx, and every answer must have a documented content type.
Runs in-process against an app on a temporary SQLite database with a few buckets seeded,
so generated ids sometimes hit real data. (Schemathesis's pytest plugin does not run
under pytest 9, so its strategies are driven with hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance

from hourwise.app import create_app
from hourwise.models import Bucket, Event
from hourwise.settings import Settings


def _app(directory):
    app = create_app(Settings(testing=True, data_dir=directory, allowed_hosts=["testserver"]))
    store = app.state.services.store
    for key in ("a", "0", "string"):
        store.create_bucket(Bucket(key, "currentwindow", "fuzz", "host", 0))
        store.insert_events(key, [Event(None, i * 1_000_000, 1_000_000, {"app": "x"}) for i in range(3)])
    return app


@pytest.fixture(scope="module")
def fuzz_schema(tmp_path_factory):
    app = _app(tmp_path_factory.mktemp("fuzz"))
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(fuzz_schema, mode):
    operations = _operations(fuzz_schema)
    assert len(operations) >= 15  # every /api/0 route is documented
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error, content_type_conformance])

        try:
            run()
        except Unsatisfiable:
            # Nothing in this operation can be made invalid (e.g. a free-text path
            # parameter and no body): there is no negative case to send.
            assert mode is GenerationMode.NEGATIVE, operation.path
        except Exception as exc:  # collect all, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
