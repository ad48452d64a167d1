"""Webhooks that cannot be aimed inside the network, and deliveries a receiver can verify: real
HTTP receivers on loopback (allowed by the setting where a test delivers), the real resolver
for literal addresses and `localhost`, and a stub resolver for a name that changes its answer."""

import hashlib
import hmac
import json
import time

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from service import webhooks
from service.api.app import create_app
from service.components import build_components
from service.webhooks import AddressRules, SecretBox, WebhookRefused
from tests.processes import Hook
from tests.test_briefing import STORY_AFTER, STORY_BEFORE
from tests.test_watches import FERRY

REFUSED = {
    "http://127.0.0.1:8000/": "loopback",
    "http://[::1]/": "loopback",
    "http://[::ffff:127.0.0.1]/": "loopback",
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://[fe80::1]/": "link-local",
    "http://10.0.0.5/": "private",
    "http://172.16.3.4/": "private",
    "http://192.168.1.1/": "private",
    "http://[fc00::1]/": "private",
    "http://[fd00:ec2::254]/": "private",  # the cloud metadata service over IPv6
    "http://224.0.0.1/": "multicast",
    "http://0.0.0.0/": "unspecified",
    "http://240.0.0.1/": "reserved",
    "http://100.64.0.1/": "not a public address",  # carrier-grade NAT
}


def verify(secret: str, headers: dict[str, str], body: bytes, *, max_age_s: int = 300) -> bool:
    """A receiver's check, as the README shows it."""
    timestamp = headers["X-Newsdesk-Timestamp"]
    signed = timestamp.encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) <= max_age_s
    return fresh and hmac.compare_digest(expected, headers["X-Newsdesk-Signature"])


def test_webhooks_inside_the_network_are_refused_with_the_reason(client: TestClient):
    for url, reason in REFUSED.items():
        response = client.post("/watches", json={"topic": "x", "webhook": url})
        assert response.status_code == 422, url
        assert reason in response.json()["detail"], (url, response.json()["detail"])
        assert "NEWSDESK_WEBHOOK_ALLOWED_HOSTS" in response.json()["detail"]
    # A name is refused for the addresses it resolves to (here by /etc/hosts).
    local = client.post("/watches", json={"topic": "x", "webhook": "http://localhost:8000/"})
    assert local.status_code == 422
    detail = local.json()["detail"]
    assert "localhost resolves to" in detail and "a loopback address" in detail
    assert client.get("/watches").json() == [], "nothing was stored"


def test_the_setting_allows_hosts_and_networks():
    rules = AddressRules.allowing(["10.1.0.0/16", "Intranet.Example"])
    assert rules.address_for("https://10.1.2.3/hook") == "10.1.2.3"
    with pytest.raises(WebhookRefused, match="private"):
        rules.address_for("https://10.2.0.1/hook")
    with pytest.raises(WebhookRefused, match="http or https"):
        rules.address_for("file:///etc/passwd")


def test_secrets_are_sealed_under_a_private_key_kept_in_a_file(tmp_path):
    key_file = tmp_path / "index" / "webhook-secrets.key"
    sealed = SecretBox(None, key_file).seal("whsec_x")
    assert "whsec_x" not in sealed and key_file.stat().st_mode & 0o777 == 0o600
    assert SecretBox(None, key_file).open(sealed) == "whsec_x", "a restart reads the same key"
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]
    with pytest.raises(WebhookRefused, match="another key"):
        SecretBox(Fernet.generate_key().decode(), key_file).open(sealed)


@pytest.fixture
def quick(settings, embedder):
    """Settings and components with webhook retries a few milliseconds apart and loopback
    allowed, for the receivers these tests run."""
    quick = settings.replace(
        webhook_retries=1, webhook_backoff_s=0.01, webhook_allowed_hosts=["127.0.0.1"]
    )
    return quick, build_components(quick, embedder=embedder)


def test_deliveries_are_signed_and_the_secret_rotates_and_outlives_a_restart(
    quick, embedder, hook: Hook
):
    settings, components = quick
    with TestClient(create_app(settings, components=components)) as client:
        created = client.post("/watches", json={"topic": FERRY, "webhook": hook.url})
        assert created.status_code == 201, created.text
        watch, secret = created.json(), created.json()["secret"]
        assert secret.startswith("whsec_") and watch["signed"]
        assert "secret" not in client.get(f"/watches/{watch['id']}").json(), "shown once"
        stored = components.store._collections().watches.get(include=["documents"])
        assert not any(secret in document for document in stored["documents"])

        client.post("/articles", json={"articles": [STORY_BEFORE]})
        components.watches.wait()
        headers, body = hook.requests[0]
        assert verify(secret, headers, body)
        assert json.loads(body)["items"][0]["article_id"] == "ferry-1"
        assert not verify(secret, headers, body.replace(b"ferry-1", b"ferry-2"))
        assert not verify(secret, headers | {"X-Newsdesk-Timestamp": "1"}, body)

        rotated = client.post(f"/watches/{watch['id']}/secret")
        assert rotated.status_code == 200
        new_secret = rotated.json()["secret"]
        client.post("/articles", json={"articles": [STORY_AFTER]})
        components.watches.wait()
        headers, body = hook.requests[1]
        assert verify(new_secret, headers, body) and not verify(secret, headers, body)
        assert client.post("/watches/nope/secret").status_code == 404
        unsigned = client.post("/watches", json={"topic": "x"}).json()
        assert unsigned["secret"] is None and not unsigned["signed"]
        assert client.post(f"/watches/{unsigned['id']}/secret").status_code == 409

    restarted = build_components(settings, embedder=embedder)
    with TestClient(create_app(settings, components=restarted)) as client:
        delivery = client.get(f"/watches/{watch['id']}").json()["last_delivery"]
        assert delivery["outcome"] == "delivered" and delivery["detail"] == "1 item(s)"


def test_a_name_that_resolves_inside_at_delivery_is_refused_then(
    settings, embedder, hook, monkeypatch
):
    """DNS rebinding: public when the watch is made, loopback (where a receiver listens, not
    allowed here) when a delivery is due."""
    components = build_components(settings, embedder=embedder)
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: next(answers))
    port = hook.url.split(":")[2].split("/")[0]
    rebinding = f"http://news.example:{port}/hook"
    with TestClient(create_app(settings, components=components)) as client:
        watch = client.post("/watches", json={"topic": FERRY, "webhook": rebinding}).json()
        client.post("/articles", json={"articles": [STORY_BEFORE]})
        components.watches.wait()
        delivery = client.get(f"/watches/{watch['id']}").json()["last_delivery"]
    assert hook.received == [], "nothing was sent"
    assert delivery["outcome"] == "refused"
    assert "news.example resolves to 127.0.0.1, a loopback address" in delivery["detail"]


def test_a_redirect_is_not_followed(quick, hook):
    """The receiver answers 302 towards another address (here a second loopback receiver, the
    only kind this machine may send to): the delivery fails and nothing reaches it."""
    settings, components = quick
    redirecting = Hook(status=302, location=hook.url)
    try:
        with TestClient(create_app(settings, components=components)) as client:
            made = client.post("/watches", json={"topic": FERRY, "webhook": redirecting.url})
            client.post("/articles", json={"articles": [STORY_BEFORE]})
            components.watches.wait()
            delivery = client.get(f"/watches/{made.json()['id']}").json()["last_delivery"]
    finally:
        redirecting.close()
    assert len(redirecting.received) == 2 and hook.received == []
    assert delivery["outcome"] == "failed" and "302" in delivery["detail"]
