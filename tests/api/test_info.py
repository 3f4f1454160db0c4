"""GET /api/0/info over the wire."""


def test_info_shape(http):
    response = http.get("/info")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hostname", "version", "testing", "device_id"}
    assert body["testing"] is True
    assert body["version"].startswith("v")


def test_device_id_survives_restart(start_server):
    server = start_server("--testing")
    import httpx

    first = httpx.get(f"{server.api}/info").json()["device_id"]
    server.restart()
    assert httpx.get(f"{server.api}/info").json()["device_id"] == first
