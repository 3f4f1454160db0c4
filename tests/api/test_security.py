"""The security baseline: loopback by default, a Host allowlist, an Origin policy, CORS."""

import socket

import httpx
import pytest

from hourwise.settings import Settings

EXT = "chrome-extension://nglaklhklhcoonedhgnpgddginnjdadi"


def test_binds_loopback_by_default():
    assert Settings().host == "127.0.0.1"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])
def test_loopback_host_headers_allowed(server, host):
    response = httpx.get(f"{server.api}/info", headers={"Host": f"{host}:{server.port}"})
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "attacker:5600"])
def test_foreign_host_refused(server, host):
    for method, path in (("GET", "/info"), ("GET", "/buckets/"), ("POST", "/settings/x")):
        response = httpx.request(method, f"{server.api}{path}", headers={"Host": host}, json=1)
        assert response.status_code == 400
        assert "host header is invalid" in response.json()["message"]
    assert httpx.get(f"{server.url}/api/", headers={"Host": host}).status_code == 400


def test_missing_host_header_refused(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /api/0/info HTTP/1.0\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.split(b" ")[1] == b"400"


def test_configured_host_names_allowed(start_server):
    server = start_server("--testing", env={"HOURWISE_ALLOWED_HOSTS": "hourwise.lan"})
    assert httpx.get(f"{server.api}/info", headers={"Host": "hourwise.lan"}).status_code == 200
    assert httpx.get(f"{server.api}/info", headers={"Host": "other.lan"}).status_code == 400


def test_cross_origin_write_from_unknown_page_refused(http, bucket):
    event = [{"timestamp": "2024-01-01T08:00:00Z", "data": {}}]
    for origin in ("http://evil.example", "null", "http://localhost:9999"):
        response = http.post(f"/buckets/{bucket}/events", json=event, headers={"Origin": origin})
        assert response.status_code == 403
        # a "simple" form post (text/plain) that CORS would not have preflighted
        response = http.post(f"/buckets/{bucket}/events", content=b'[{"timestamp":"2024-01-01T08:00:00Z"}]',
                             headers={"Origin": origin, "Content-Type": "text/plain"})
        assert response.status_code == 403
    assert http.get(f"/buckets/{bucket}/events/count").json() == 0


def test_allowed_origins_may_write(http, bucket, server):
    event = [{"timestamp": "2024-01-01T08:00:00Z", "data": {}}]
    for origin in (EXT, "moz-extension://0a1b2c3d-1111-2222-3333-444455556666", server.url):
        response = http.post(f"/buckets/{bucket}/events", json=event, headers={"Origin": origin})
        assert response.status_code == 200, origin
        assert response.headers.get("access-control-allow-origin") == origin


def test_cors_preflight(http):
    allowed = http.options("/buckets/", headers={"Origin": EXT, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == EXT
    refused = http.options("/buckets/", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers
    read = http.get("/info", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in read.headers


def test_double_slash_paths_are_normalised(server):
    assert httpx.get(f"{server.url}//api//0//info").status_code == 200
    assert httpx.get(f"{server.url}//api/0/info", headers={"Host": "evil.example"}).status_code == 400
