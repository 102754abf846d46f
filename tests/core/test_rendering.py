"""A partial request never gets a page drawn inside the region that asked for it."""

from django.urls import reverse

HTMX = {"HX-Request": "true"}


def test_a_region_asking_after_the_session_ended_sends_the_browser_to_sign_in(client, db):
    response = client.get(reverse("creators:roster"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    assert b"<main" not in response.content


def test_a_boosted_request_and_a_plain_one_still_follow_the_redirect(client, db):
    boosted = client.get(reverse("creators:roster"), headers={**HTMX, "HX-Boosted": "true"})
    plain = client.get(reverse("creators:roster"))
    for response in (boosted, plain):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
