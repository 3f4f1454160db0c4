"""A built ActivityWatch web UI served from the API's origin when webui_dir is set."""

import httpx
import pytest


def test_webui_files_served_beside_the_api(start_server, tmp_path):
    ui = tmp_path / "ui"
    (ui / "js").mkdir(parents=True)
    (ui / "index.html").write_text("<!doctype html><title>aw-webui</title>")
    (ui / "js" / "app.js").write_text("console.log('ui')")
    server = start_server("--testing", env={"HOURWISE_WEBUI_DIR": str(ui)})
    index = httpx.get(f"{server.url}/")
    assert index.status_code == 200 and "aw-webui" in index.text
    assert index.headers["x-frame-options"] == "DENY"
    assert httpx.get(f"{server.url}/js/app.js").text == "console.log('ui')"
    assert httpx.get(f"{server.api}/info").json()["testing"] is True  # the API keeps priority
    assert httpx.get(f"{server.url}/api/").status_code == 200
    assert httpx.get(f"{server.url}/missing.js").status_code == 404


def test_webui_dir_without_index_refuses_to_start(tmp_path):
    from tests.support.server import ServerProcess

    proc = ServerProcess(tmp_path / "d", "--testing", env={"HOURWISE_WEBUI_DIR": str(tmp_path)})
    with pytest.raises(RuntimeError, match="no index.html"):
        proc.start(timeout=20)


def test_webui_files_load_without_a_key_in_server_mode(start_server, tmp_path):
    from tests.support.accounts import make_user_with_key

    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<!doctype html><title>aw-webui</title>")
    data = tmp_path / "team"
    key = make_user_with_key("alice", data)
    server = start_server("--testing", data_dir=data,
                          env={"HOURWISE_WEBUI_DIR": str(ui), "HOURWISE_MODE": "server"})
    assert httpx.get(f"{server.url}/").status_code == 200  # the files: no user data
    assert httpx.get(f"{server.api}/buckets/").status_code == 401  # the data: a key
    assert httpx.get(f"{server.api}/buckets/", params={"token": key}).status_code == 200
