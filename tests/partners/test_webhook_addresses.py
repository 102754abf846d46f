"""Webhook endpoints on loopback, private and link-local networks are refused at registration and
again at every delivery after DNS resolution, unless a setting allows them (issue 13, finding 11).
The connection goes to the address that was checked (DNS rebinding cannot redirect it)."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from partners import egress, webhooks
from partners.models import DeliveryStatus
from tests.partners.factories import partner_application, webhook_endpoint
from tests.partners.test_webhooks import Receiver, suspended_delivery


@pytest.fixture
def dns(monkeypatch):
    """Answers of a resolver the test controls: {host: [address, ...]}."""
    answers: dict[str, list[str]] = {}
    real = egress.resolve

    def resolve(host, port):
        if host in answers:
            return [ipaddress.ip_address(a) for a in answers[host]]
        return real(host, port)

    monkeypatch.setattr(egress, "resolve", resolve)
    return answers


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://172.16.3.4/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://2130706433/hook",
        "https://0x7f.1/hook",
        "https://localhost/hook",
        "https://portal.localhost/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_a_non_public_address_is_refused_at_registration(operator, url):
    application = partner_application(operator)
    with pytest.raises(ValidationError) as error:
        webhook_endpoint(operator, application, url=url)
    assert "public addresses only" in error.value.message_dict["url"][0]


def test_a_name_that_resolves_to_a_private_address_is_refused(operator, dns):
    dns["hooks.partner.cn"] = ["203.0.113.9", "10.1.2.3"]  # one bad answer is enough
    with pytest.raises(ValidationError) as error:
        webhook_endpoint(operator, partner_application(operator), url="https://hooks.partner.cn/x")
    assert "10.1.2.3" in error.value.message_dict["url"][0]


def test_public_addresses_and_names_are_accepted(operator, dns):
    dns["hooks.partner.cn"] = ["1.1.1.1"]
    application = partner_application(operator)
    for url in ("https://1.1.1.1/hook", "https://hooks.partner.cn/x", "https://[2606:4700::1]/"):
        endpoint, _secret = webhook_endpoint(operator, application, url=url)
        assert endpoint.url == url


def test_a_setting_allows_private_addresses_for_development(operator, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint, _secret = webhook_endpoint(
        operator, partner_application(operator), url="https://10.0.0.5/hook"
    )
    assert endpoint.url == "https://10.0.0.5/hook"


def test_a_name_that_turns_private_after_registration_gets_nothing(operator, organization, dns):
    dns["hooks.partner.cn"] = ["1.1.1.1"]
    delivery, _secret = suspended_delivery(operator, organization, "https://hooks.partner.cn/x")
    dns["hooks.partner.cn"] = ["127.0.0.1"]  # rebinding: now it points inside
    with Receiver([200]) as receiver:
        webhooks.attempt_delivery(delivery.pk)
    assert receiver.requests == []
    delivery.refresh_from_db()
    attempt = delivery.attempts.get()
    assert not attempt.succeeded and "public addresses only" in attempt.error
    assert delivery.status == DeliveryStatus.FAILED


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(
    operator, organization, dns, settings
):
    """The name resolves to the receiver's address when checked; whatever it would resolve to at
    connection time, the request goes there, with the name in the Host header."""
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver([204]) as receiver:
        port = receiver.server.server_address[1]
        dns["localhost"] = ["127.0.0.1"]
        delivery, _secret = suspended_delivery(
            operator, organization, f"http://localhost:{port}/hooks/portal"
        )
        webhooks.attempt_delivery(delivery.pk)
    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"localhost:{port}"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_the_opener_connects_to_the_checked_address_not_a_new_lookup(dns, settings):
    """`no-such-host.invalid` never resolves: only a connection to the checked address works."""
    import urllib.request

    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    dns["no-such-host.invalid"] = ["127.0.0.1"]
    with Receiver([202]) as receiver:
        port = receiver.server.server_address[1]
        opener = egress.opener_for("no-such-host.invalid", "http", port)
        request = urllib.request.Request(
            f"http://no-such-host.invalid:{port}/hook", data=b"{}", method="POST"
        )
        with opener.open(request, timeout=5) as response:
            assert response.status == 202
    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"no-such-host.invalid:{port}"
