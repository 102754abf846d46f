"""The API guide (docs/api-guide.md): served at /api/guide/ with a converter that cannot carry
markup, linked from the API documentation, and accurate: its paths are operations of the schema
and its webhook verifier accepts the portal's signatures."""

import hashlib
import hmac
import re
import time

import pytest
from drf_spectacular.generators import SchemaGenerator

from portal.core.api.guide import GUIDE, markdown_to_html

TEXT = GUIDE.read_text(encoding="utf-8")


def test_the_guide_is_a_public_page(client, db):
    response = client.get("/api/guide/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<article class="api-guide" lang="en">' in page
    assert '<h2 id="2-authentication">2. Authentication</h2>' in page
    assert "<pre><code>curl -s https://portal.example.com/api/v1/metrics/" in page
    assert '<a href="/api/docs/">/api/docs/</a>' in page
    assert "<td><code>insufficient_scope</code></td>" in page
    assert re.search(r'<style nonce="[^"]+">', page)  # allowed by the CSP
    assert client.post("/api/guide/").status_code == 405


def test_the_converter_escapes_everything_and_keeps_only_safe_links():
    html = markdown_to_html(
        "# Title <b>\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
        '[ok](https://example.com/a?b=1&c=2) [q](/x"onmouseover=1)\n\n'
        "```\n<img src=x onerror=alert(1)>\n```\n\n- **bold** `<i>`\n- two\n\n1. one\n2. two\n"
    )
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html
    assert '<a href="/x&quot;onmouseover=1">q</a>' in html  # the quote stays inside the value
    assert '<a href="https://example.com/a?b=1&amp;c=2">ok</a>' in html
    assert "<ul><li><strong>bold</strong> <code>&lt;i&gt;</code></li><li>two</li></ul>" in html
    assert "<ol><li>one</li><li>two</li></ol>" in html
    assert "<pre><code>&lt;img src=x onerror=alert(1)&gt;</code></pre>" in html


@pytest.mark.parametrize(
    "topic",
    [
        "/partners/",
        "Authorization: Bearer",
        "insufficient_scope",
        "rate_limited",
        "Retry-After",
        "stale_version",
        "If-Match",
        "idempotency_key_reused",
        "Idempotent-Replayed",
        "24 hours",
        "page_size",
        "`next`",
        "If-None-Match",
        "304 Not Modified",
        "X-Portal-Signature",
        "X-Portal-Timestamp",
        "X-Portal-Event",
        "X-Portal-Delivery",
        "hmac.compare_digest",
        "/api/v1/metrics/",
        "/api/v1/reward-lists/?status=published",
    ],
)
def test_the_guide_covers(topic):
    assert topic in TEXT


def test_every_path_in_the_guide_is_an_operation_of_the_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    patterns = [
        re.compile(re.sub(r"\{[^}]+\}", "[^/]+", template) + r"$") for template in schema["paths"]
    ]
    paths = set(re.findall(r"(/api/v1/[a-z0-9/_-]*)", TEXT)) - {"/api/v1/"}
    assert len(paths) > 5
    for path in paths:
        path = re.sub(r"<[^>]+>", "1", path)
        assert any(p.match(path) for p in patterns), path


def test_the_guides_webhook_verifier_accepts_the_portals_signature():
    code = next(block for block in TEXT.split("```") if "def verify(" in block)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (our own documentation)
    verify = namespace["verify"]
    secret, body = "whsec_test", b'{"id":"e1","type":"reward_list.published","data":{"id":1}}'
    timestamp = str(int(time.time()))
    signature = (
        "v1="
        + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    )
    headers = {"X-Portal-Timestamp": timestamp, "X-Portal-Signature": signature}
    assert verify(secret, headers, body)
    assert verify(secret, {**headers, "X-Portal-Signature": f"v1=00, {signature}"}, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify("other", headers, body)
    old = str(int(time.time()) - 301)
    assert not verify(secret, {**headers, "X-Portal-Timestamp": old}, body)
