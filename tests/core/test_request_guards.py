"""A multipart body without a boundary answers 400 everywhere, also on a URL that does not exist
(its 404 page checks the CSRF token, which read the body and answered 500: found by the
schemathesis run once it was signed in, issue 13)."""

import pytest
from django.test import Client


@pytest.mark.parametrize(
    "path", ["/api/v1/shortlist/-5/entries/", "/no/such/page/", "/api/v1/metrics/"]
)
def test_a_multipart_body_without_a_boundary_is_a_400(db, path):
    client = Client(enforce_csrf_checks=True)
    response = client.generic("POST", path, b'{"a": 1}', content_type="multipart/form-data")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "parse_error"


def test_a_proper_multipart_form_still_reaches_the_view(client, owner):
    client.force_login(owner)
    response = client.post("/language/", {"language": "en", "next": "/"})  # multipart by default
    assert response.status_code == 302
