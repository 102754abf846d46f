"""The review queue and the review page."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from organizations.models import (
    ManagerAssignment,
    Organization,
    OrganizationStatus,
    OrgRole,
    ReviewCheck,
)
from portal.core.models import Notification
from tests.organizations.factories import OrganizationFactory, make_member

S = OrganizationStatus
EN = {"Accept-Language": "en"}


@pytest.fixture
def applications(beauty, pets):
    now = timezone.now()
    rows = {
        "old": OrganizationFactory(
            legal_name="上海旧申请文化传媒有限公司", status=S.SUBMITTED, categories=[beauty]
        ),
        "new": OrganizationFactory(
            legal_name="北京新申请网络科技有限公司", status=S.UNDER_REVIEW, categories=[beauty]
        ),
        "pets": OrganizationFactory(
            legal_name="广州宠物文化传播有限公司", status=S.SUBMITTED, categories=[pets]
        ),
        "approved": OrganizationFactory(
            legal_name="深圳已通过电子商务有限公司", status=S.APPROVED, categories=[beauty]
        ),
        "draft": OrganizationFactory(
            legal_name="成都草稿文化传媒有限公司", status=S.DRAFT, categories=[beauty]
        ),
    }
    Organization.objects.filter(pk=rows["old"].pk).update(
        submitted_at=now - datetime.timedelta(days=10)
    )
    Organization.objects.filter(pk=rows["new"].pk).update(
        submitted_at=now - datetime.timedelta(hours=2)
    )
    return rows


def names(response):
    return [o.legal_name for o in response.context["page"].object_list]


def test_the_queue_shows_open_applications_of_the_managers_categories_oldest_first(
    client, manager, applications
):
    client.force_login(manager)
    assert names(client.get("/organizations/review/")) == [
        "上海旧申请文化传媒有限公司",
        "北京新申请网络科技有限公司",
    ]


def test_operators_see_every_category(client, operator, applications):
    client.force_login(operator)
    assert "广州宠物文化传播有限公司" in names(client.get("/organizations/review/"))


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"q": "旧申请"}, ["上海旧申请文化传媒有限公司"]),
        ({"waiting": "7"}, ["上海旧申请文化传媒有限公司"]),
        ({"status": ["approved"]}, ["深圳已通过电子商务有限公司"]),
        ({"sort": "-submitted"}, ["北京新申请网络科技有限公司", "上海旧申请文化传媒有限公司"]),
    ],
)
def test_filters_and_sorting(client, manager, applications, query, expected):
    client.force_login(manager)
    assert names(client.get("/organizations/review/", query)) == expected


def test_search_by_credit_code(client, operator, applications):
    client.force_login(operator)
    code = applications["pets"].credit_code
    assert names(client.get("/organizations/review/", {"q": code.lower()})) == [
        "广州宠物文化传播有限公司"
    ]


def test_drafts_never_reach_the_queue(client, operator, applications):
    client.force_login(operator)
    every_state = {"status": [s.value for s in S]}
    assert "成都草稿文化传媒有限公司" not in names(
        client.get("/organizations/review/", every_state)
    )


def test_htmx_filtering_returns_only_the_results(client, manager, applications):
    client.force_login(manager)
    response = client.get("/organizations/review/", {"q": "旧"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html and "上海旧申请" in html


def test_queue_query_count_does_not_grow_with_rows(
    client, operator, beauty, django_assert_max_num_queries
):
    client.force_login(operator)
    OrganizationFactory(status=S.SUBMITTED, categories=[beauty])
    with django_assert_max_num_queries(20) as few:
        client.get("/organizations/review/")
    for _ in range(30):
        OrganizationFactory(status=S.SUBMITTED, categories=[beauty])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/organizations/review/")


def test_the_review_page_warns_of_duplicates(client, operator, applications, beauty):
    twin = OrganizationFactory(
        legal_name="冒名文化传媒有限公司",
        status=S.REJECTED,
        credit_code=applications["old"].credit_code,
        contact_phone=applications["old"].contact_phone,
        categories=[beauty],
    )
    client.force_login(operator)
    response = client.get(f"/organizations/review/{applications['old'].pk}/")
    duplicates = response.context["duplicates"]
    assert twin in duplicates["credit_code"] and twin in duplicates["contact_phone"]
    assert (
        "Possible duplicates"
        in client.get(
            f"/organizations/review/{applications['old'].pk}/", headers=EN
        ).content.decode()
    )


def test_approving_from_the_page_assigns_a_manager_and_tells_the_applicant(
    client, manager, applications, django_capture_on_commit_callbacks
):
    application = applications["new"]
    owner = make_member(application, OrgRole.OWNER, email="boss@new-application.cn")
    client.force_login(manager)
    checks = list(ReviewCheck.objects.values_list("code", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/organizations/review/{application.pk}/",
            {"transition": "approve", "checks": checks, "reason": "欢迎加入"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assignment = ManagerAssignment.objects.active().get(organization=application)
    assert assignment.manager == manager
    events = set(Notification.objects.filter(recipient=owner).values_list("event", flat=True))
    assert events == {"organization.approve", "assignment.organization"}
    assert Notification.objects.filter(recipient=manager, event="assignment.manager").exists()
    to_owner = [m for m in mail.outbox if m.to == ["boss@new-application.cn"]]
    assert any("approved" in m.subject for m in to_owner)
    assert any("欢迎加入" in m.body for m in to_owner)


def test_approving_without_the_whole_checklist_is_refused_on_the_checklist(
    client, manager, applications
):
    client.force_login(manager)
    response = client.post(
        f"/organizations/review/{applications['new'].pk}/",
        {"transition": "approve", "checks": ["name-matches"]},
        headers=EN,
    )
    assert response.status_code == 200
    assert "Tick every item" in response.context["form"].errors["checks"][0]


def test_rejecting_without_a_reason_is_refused_on_the_reason(client, manager, applications):
    client.force_login(manager)
    response = client.post(
        f"/organizations/review/{applications['new'].pk}/", {"transition": "reject"}, headers=EN
    )
    assert "Give a reason" in response.context["form"].errors["reason"][0]


def test_an_illegal_decision_says_why(client, manager, applications):
    client.force_login(manager)
    response = client.post(
        f"/organizations/review/{applications['old'].pk}/", {"transition": "approve"}, headers=EN
    )
    assert "is Submitted and cannot be approved" in str(response.context["form"].non_field_errors())


def test_managers_cannot_suspend_and_the_page_does_not_offer_it(
    client, manager, operator, applications
):
    approved = applications["approved"]
    client.force_login(manager)
    assert client.get(f"/organizations/review/{approved.pk}/").context["actions"] == []
    response = client.post(
        f"/organizations/review/{approved.pk}/", {"transition": "suspend", "reason": "x"}
    )
    assert response.status_code == 403
    client.force_login(operator)
    assert client.get(f"/organizations/review/{approved.pk}/").context["actions"] == ["suspend"]
