"""The organizations API: scoped lists, filters, cursor pagination, decisions through services."""

import pytest

from organizations.models import Organization, OrganizationStatus, ReviewCheck
from tests.organizations.factories import OrganizationFactory

S = OrganizationStatus


def test_list_is_cursor_paginated_and_filtered_by_state_and_category(
    client, operator, beauty, pets
):
    OrganizationFactory(status=S.SUBMITTED, categories=[beauty])
    OrganizationFactory(status=S.APPROVED, categories=[pets])
    client.force_login(operator)
    body = client.get("/api/v1/organizations/", {"status": "submitted", "page_size": 1}).json()
    assert set(body) == {"next", "previous", "results"}
    assert [row["status"] for row in body["results"]] == ["submitted"]
    by_category = client.get("/api/v1/organizations/", {"category": pets.pk}).json()["results"]
    assert [row["primary_categories"] for row in by_category] == [[pets.pk]]


def test_created_range_filter(client, operator, organization):
    client.force_login(operator)
    today = organization.created_at.date().isoformat()
    assert client.get("/api/v1/organizations/", {"created_after": today}).json()["results"]
    assert not client.get("/api/v1/organizations/", {"created_before": "2020-01-01"}).json()[
        "results"
    ]


def test_list_query_count_does_not_grow_with_rows(
    client, operator, beauty, django_assert_max_num_queries
):
    client.force_login(operator)
    OrganizationFactory(categories=[beauty])
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/organizations/")
    for _ in range(25):
        OrganizationFactory(categories=[beauty])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/organizations/")


@pytest.fixture
def under_review(beauty):
    return OrganizationFactory(status=S.UNDER_REVIEW, categories=[beauty])


def test_a_manager_approves_through_the_api_and_the_organization_gets_its_manager(
    client, manager, under_review
):
    client.force_login(manager)
    checks = list(ReviewCheck.objects.values_list("code", flat=True))
    response = client.post(
        f"/api/v1/organizations/{under_review.pk}/decisions/",
        {"transition": "approve", "checks": checks},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["manager"] == manager.pk


def test_fields_outside_the_decision_are_ignored(client, manager, under_review, operator):
    client.force_login(manager)
    response = client.post(
        f"/api/v1/organizations/{under_review.pk}/decisions/",
        {
            "transition": "reject",
            "reason": "资料不实",
            "status": "approved",
            "approved_by": operator.pk,
        },
        content_type="application/json",
    )
    assert response.json()["status"] == "rejected"


def test_an_illegal_decision_is_a_400_with_the_reason(client, operator, under_review):
    Organization.objects.filter(pk=under_review.pk).update(status=S.SUBMITTED)
    client.force_login(operator)
    response = client.post(
        f"/api/v1/organizations/{under_review.pk}/decisions/",
        {"transition": "approve"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "cannot be approved" in str(response.json()["errors"])


def test_organization_members_cannot_decide(client, owner, organization):
    client.force_login(owner)
    response = client.post(
        f"/api/v1/organizations/{organization.pk}/decisions/",
        {"transition": "suspend", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_another_category_manager_gets_404(client, pets_manager, under_review):
    client.force_login(pets_manager)
    response = client.post(
        f"/api/v1/organizations/{under_review.pk}/decisions/",
        {"transition": "approve"},
        content_type="application/json",
    )
    assert response.status_code == 404
