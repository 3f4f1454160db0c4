"""Every /api/0 route the app serves is listed in docs/activitywatch-api.md."""

import re
from pathlib import Path

from hourwise.app import create_app
from hourwise.settings import Settings

DOC = (Path(__file__).parent.parent / "docs" / "activitywatch-api.md").read_text()


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path).rstrip("/")


def test_every_route_is_documented(tmp_path):
    app = create_app(Settings(testing=True, data_dir=tmp_path))
    documented = {
        (method, _normalise(path))
        for method, path in re.findall(r"`(GET|POST|PUT|DELETE) (/api/0/[^`?\s]*)", DOC)
    }
    served = {
        (method.upper(), _normalise(path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/0")
        for method in operations
    }
    assert served - documented == set(), "document these routes in docs/activitywatch-api.md"
    assert documented - served == set(), "these documented routes do not exist"
