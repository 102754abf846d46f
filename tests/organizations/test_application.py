"""The application wizard: steps saved one by one, errors on their fields, resumable, uploads safe."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from organizations.models import Organization, OrganizationStatus, ProgramTerms
from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory

S = OrganizationStatus
EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", "Accept-Language": "en"}


def step(client, name, data, **headers):
    return client.post(f"/organizations/apply/{name}/", data, headers=headers or EN)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 2.0)}
    out = BytesIO()
    Image.new("RGB", (600, 420), "#f5efe0").save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def applicant(db):
    return UserFactory(email="founder@xinghe.cn", full_name="王芳")


@pytest.fixture
def draft(client, applicant, beauty):
    client.force_login(applicant)
    step(
        client,
        "organization",
        {
            "legal_name": "杭州星河文化传媒有限公司",
            "credit_code": "91330106MA2H3K7Q5U",
            "legal_representative": "王芳",
        },
    )
    return Organization.objects.get()


def complete(client, beauty, pets):
    step(client, "licence", {"licence": SimpleUploadedFile("执照.jpg", jpeg_with_gps())})
    step(
        client,
        "contacts",
        {"contact_name": "王芳", "contact_phone": "13800138000", "contact_email": "a@xinghe.cn"},
    )
    step(
        client,
        "business",
        {
            "main_category": beauty.pk,
            "other_categories": [pets.pk],
            "declared_roster_size": 120,
            "platform_douyin": 2500000,
        },
    )


def test_the_first_step_creates_a_draft_owned_by_the_applicant(draft, applicant):
    assert draft.status == S.DRAFT
    assert draft.credit_code == "91330106MA2H3K7Q5U"
    assert applicant.membership.organization == draft and applicant.membership.role == "owner"


def test_each_step_goes_on_to_the_next_and_htmx_swaps_only_the_wizard(client, draft):
    response = step(
        client,
        "contacts",
        {"contact_name": "王芳", "contact_phone": "13800138000", "contact_email": "a@xinghe.cn"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/organizations/apply/business/"
    assert "<html" not in html and "Categories and creators" in html


def test_without_javascript_a_step_redirects_to_the_next(client, draft):
    response = step(
        client,
        "contacts",
        {"contact_name": "王芳", "contact_phone": "13800138000", "contact_email": "a@xinghe.cn"},
    )
    assert response.status_code == 302 and response["Location"] == "/organizations/apply/business/"


@pytest.mark.parametrize(
    "name,data,field,message",
    [
        (
            "organization",
            {"legal_name": "甲", "credit_code": "91330106MA2H3K7Q5X", "legal_representative": "王"},
            "credit_code",
            "check digit",
        ),
        (
            "organization",
            {"legal_name": "", "credit_code": "91330106MA2H3K7Q5U", "legal_representative": "王"},
            "legal_name",
            "This field is required.",
        ),
        (
            "contacts",
            {
                "contact_name": "王芳",
                "contact_phone": "0571-8888888",
                "contact_email": "a@xinghe.cn",
            },
            "contact_phone",
            "mainland China mobile",
        ),
        (
            "business",
            {"main_category": "", "declared_roster_size": 10},
            "main_category",
            "This field is required.",
        ),
        (
            "business",
            {"main_category": "1", "declared_roster_size": 0},
            "declared_roster_size",
            "greater than or equal to 1",
        ),
    ],
)
def test_a_step_shows_errors_on_the_field_and_saves_nothing(
    client, draft, name, data, field, message
):
    before = Organization.objects.values().get(pk=draft.pk)
    response = step(client, name, data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Organization.objects.values().get(pk=draft.pk) == before


def test_a_credit_code_already_used_by_an_open_application_is_refused_on_its_field(
    client, draft, organization
):
    response = step(
        client,
        "organization",
        {
            "legal_name": draft.legal_name,
            "credit_code": organization.credit_code,
            "legal_representative": "王芳",
        },
    )
    assert "already applied" in response.context["form"].errors["credit_code"][0]


def test_the_licence_is_re_encoded_without_gps_and_served_only_to_those_who_may_see_it(
    client, draft, other_owner
):
    step(client, "licence", {"licence": SimpleUploadedFile("执照.jpg", jpeg_with_gps())})
    draft.refresh_from_db()
    stored = draft.licence.read()
    assert draft.licence_content_type == "image/jpeg"
    assert b"Exif" not in stored
    assert "执照" not in draft.licence.name  # names are made on the server
    response = client.get(f"/organizations/{draft.pk}/licence/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(other_owner)
    assert client.get(f"/organizations/{draft.pk}/licence/").status_code == 404


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("licence.png", b"MZ\x90\x00" + b"\x00" * 400), "not accepted"),
        (SimpleUploadedFile("licence.png", b""), "empty"),
    ],
)
def test_a_bad_licence_is_refused_with_a_clear_message(client, draft, upload, message):
    response = step(client, "licence", {"licence": upload})
    errors = response.context["form"].errors["licence"]
    assert any(message in error for error in errors), errors
    draft.refresh_from_db()
    assert not draft.licence


def test_a_pixel_flood_licence_is_refused(client, draft):
    out = BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")
    response = step(client, "licence", {"licence": SimpleUploadedFile("flood.png", out.getvalue())})
    assert "too many pixels" in response.context["form"].errors["licence"][0]


def test_an_oversized_licence_is_refused(client, draft, settings):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF")
    response = step(client, "licence", {"licence": big})
    assert "the limit is 10 MB" in response.context["form"].errors["licence"][0]


def test_leaving_and_coming_back_resumes_at_the_first_open_step(client, draft, beauty, pets):
    step(
        client,
        "contacts",
        {"contact_name": "王芳", "contact_phone": "13800138000", "contact_email": "a@xinghe.cn"},
    )
    response = client.get("/organizations/apply/")
    assert response["Location"] == "/organizations/apply/licence/"


def test_submitting_records_the_accepted_terms_version(client, draft, beauty, pets, applicant):
    complete(client, beauty, pets)
    refused = step(client, "submit", {})
    assert "accept_terms" in refused.context["form"].errors

    response = step(client, "submit", {"accept_terms": "on"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert draft.terms_version == ProgramTerms.objects.current()
    assert draft.terms_accepted_by == applicant
    assert set(draft.primary_categories.values_list("code", flat=True)) == {"beauty", "pets"}
    assert dict(draft.other_platforms.values_list("platform", "followers")) == {"douyin": 2500000}
    actions = list(AuditEntry.objects.filter(organization=draft).values_list("action", flat=True))
    assert {
        "organization.create",
        "organization.licence",
        "organization.terms",
        "organization.submit",
    } <= set(actions)


def test_the_last_step_through_htmx_sends_the_browser_to_the_dashboard(client, draft, beauty, pets):
    """Not a redirect htmx would follow itself: that drew the whole dashboard inside the wizard
    (two site headers, two navigation bars, two <main>)."""
    complete(client, beauty, pets)
    response = step(client, "submit", {"accept_terms": "on"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/"
    assert b"<main" not in response.content
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    dashboard = client.get(response["HX-Redirect"], headers=EN).content.decode()
    assert dashboard.count("<main") == 1 and "Your application is submitted" in dashboard


def test_a_wizard_step_of_a_submitted_application_leaves_the_wizard_through_htmx_too(
    client, draft, beauty, pets
):
    complete(client, beauty, pets)
    step(client, "submit", {"accept_terms": "on"})
    response = client.get("/organizations/apply/contacts/", headers=HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/"


def test_a_submitted_application_is_no_longer_editable(client, draft, beauty, pets):
    complete(client, beauty, pets)
    step(client, "submit", {"accept_terms": "on"})
    response = client.get("/organizations/apply/contacts/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_changes_requested_opens_the_wizard_again_with_the_reason(
    client, draft, beauty, pets, manager
):
    from organizations import services

    complete(client, beauty, pets)
    step(client, "submit", {"accept_terms": "on"})
    services.organization_start_review(actor=manager, organization=draft)
    services.organization_request_changes(
        actor=manager, organization=draft, reason="执照不清晰，请重新上传"
    )
    page = client.get("/organizations/apply/submit/", headers=EN).content.decode()
    assert "执照不清晰" in page and "Resubmit the application" in page


def test_a_plain_member_cannot_edit_the_application(client, draft):
    from organizations.models import OrgRole
    from tests.organizations.factories import make_member

    client.force_login(make_member(draft, OrgRole.MEMBER))
    assert client.get("/organizations/apply/contacts/").status_code == 403


def test_staff_cannot_use_the_wizard(client, operator):
    client.force_login(operator)
    assert client.get("/organizations/apply/organization/").status_code == 403


def test_someone_whose_application_was_rejected_can_start_a_new_one(
    client, draft, applicant, beauty
):
    Organization.objects.filter(pk=draft.pk).update(status=S.REJECTED)
    response = step(
        client,
        "organization",
        {
            "legal_name": "杭州星河文化传媒有限公司",
            "credit_code": "91330106MA2H3K7Q5U",
            "legal_representative": "王芳",
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.membership.organization != draft
    assert Organization.objects.filter(legal_name="杭州星河文化传媒有限公司").count() == 2
