"""The shell every page shares: security headers, CSP nonces, landmarks, role dashboards."""

import re

import pytest
from django.db import transaction

from tests.creators.factories import BindingFactory


def test_pages_carry_a_content_security_policy_with_a_nonce_on_every_script(client, operator):
    client.force_login(operator)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts, "htmx is loaded"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("who", ["operator", "manager", "owner"])
def test_pages_have_landmarks_a_skip_link_and_no_inline_styles(client, db, request, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get("/").content.decode()
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert 'href="#main"' in html
    assert " style=" not in html, "inline style attributes are blocked by the CSP"
    assert "X-CSRFToken" in html, "htmx requests carry the CSRF token"


def test_operator_dashboard_counts_the_whole_program(
    client, operator, organization, other_organization
):
    BindingFactory(organization=organization)
    client.force_login(operator)
    context = client.get("/").context
    assert context["active_organizations"] == 2
    assert context["creators"] == 1
    assert context["active_bindings"] == 1
    bars = {bar["key"]: bar["value"] for bar in context["status_bars"]}
    assert bars["approved"] == 2 and bars["draft"] == 0 and len(bars) == 8


def test_manager_dashboard_counts_only_their_categories(
    client, manager, organization, other_organization
):
    client.force_login(manager)
    context = client.get("/").context
    assert context["active_organizations"] == 1
    assert [c.code for c in context["my_categories"]] == ["beauty"]


def test_organization_dashboard_shows_its_own_roster_and_members(
    client, owner, member, organization, other_organization
):
    BindingFactory(organization=organization)
    BindingFactory(organization=other_organization)
    client.force_login(member)
    context = client.get("/").context
    assert context["organization"] == organization
    assert context["roster_size"] == 1
    assert {m.user.email for m in context["members"]} == {owner.email, member.email}


def test_person_without_an_organization_is_told_what_to_do(client, db):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "Bring your organization into the program" in html
    assert "/organizations/apply/" in html


@pytest.mark.parametrize("who", ["operator", "manager", "owner"])
def test_dashboard_query_count_does_not_grow_with_the_program(
    client, request, who, organization, django_assert_max_num_queries
):
    from portal.audit.services import audit_record
    from tests.organizations.factories import OrganizationFactory

    user = request.getfixturevalue(who)
    client.force_login(user)
    client.get("/")
    with django_assert_max_num_queries(40) as small:
        client.get("/")
    for _ in range(15):
        OrganizationFactory(categories=organization.primary_categories.all())
        BindingFactory(organization=organization)
    with transaction.atomic():
        for _ in range(15):
            audit_record(
                actor=user, action="test.touch", obj=organization, organization=organization
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def test_the_api_docs_page_loads_its_assets_from_our_own_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


def test_error_pages_are_clean_and_translated(client, owner):
    client.force_login(owner)
    response = client.get("/organizations/999999/")
    assert response.status_code == 404
    assert (
        "Page not found" in response.content.decode() or "页面不存在" in response.content.decode()
    )
    assert "Traceback" not in response.content.decode()
