"""Settings: any JSON value under a key, including the falsy ones aw-server dropped."""

import uuid

import orjson
import pytest

VALUES = [False, 0, "", [], {}, None, True, 3.25, "text", [1, {"a": [None]}],
          {"classes": [{"name": ["Work"], "rule": {"type": "regex", "regex": "code|vim"}}]}]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:20] for v in VALUES])
def test_any_json_value_round_trips(http, value):
    key = f"k-{uuid.uuid4().hex[:8]}"
    # httpx sends no body at all for json=None, so encode explicitly
    response = http.post(f"/settings/{key}", content=orjson.dumps(value),
                         headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json() == value
    assert http.get(f"/settings/{key}").json() == value
    assert http.get("/settings").json()[key] == value


def test_unset_key_is_null_and_delete(http):
    key = f"k-{uuid.uuid4().hex[:8]}"
    assert http.get(f"/settings/{key}").json() is None
    http.post(f"/settings/{key}", json="x")
    assert http.delete(f"/settings/{key}").json() == {"deleted": True}
    assert http.delete(f"/settings/{key}").json() == {"deleted": False}
    assert key not in http.get("/settings").json()


def test_setting_string_that_is_raw_json_text(http):
    """axios sends a JS string that already looks like JSON as-is: "dark" arrives as dark."""
    key = f"k-{uuid.uuid4().hex[:8]}"
    assert http.post(f"/settings/{key}", content=b'"dark"', headers={"content-type": "application/json"}).json() == "dark"
    bad = http.post(f"/settings/{key}", content=b"dark", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["message"]
    assert http.get(f"/settings/{key}").json() == "dark"


def test_key_limits(http):
    assert http.post("/settings/" + "k" * 128, json=1).status_code == 400
    assert http.post("/settings/" + "k" * 127, json=1).status_code == 200
    assert http.get("/settings/bad%01key").status_code == 400
