"""The adjustment form's organization: typed by name or id (a list has lines of thousands of
organizations, too many for a <select>), suggested as the operator types, resolved on submit
among the organizations with a line on the list that the operator may see."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from incentives.forms import AdjustmentForm
from incentives.models import LedgerEntry
from incentives.selectors import (
    ORGANIZATION_MATCHES,
    adjustable_organizations,
    organization_suggestions,
)
from incentives.services import settlement_approve
from organizations.models import Organization
from tests.incentives.test_safeguards import cycle, in_review  # noqa: F401 (fixtures)
from tests.organizations.factories import OrganizationFactory


@pytest.fixture
def approved(operator, in_review):  # noqa: F811
    return settlement_approve(actor=operator, reward_list=in_review, revision=in_review.revision)


def adjustment(organization: str, organizations) -> AdjustmentForm:
    data = {
        "account": "",
        "organization": organization,
        "pool": "cash",
        "amount": "100.00",
        "reason_code": "returned_payment",
        "note": "Paid again",
    }
    return AdjustmentForm(data, organizations=organizations)


def test_the_organization_is_found_by_its_name_its_id_or_a_suggestion(
    operator, organization, approved
):
    organizations = adjustable_organizations(operator, approved)
    for text in (
        organization.legal_name,
        f"  {organization.legal_name} ",
        str(organization.pk),
        f"{organization.legal_name} (#{organization.pk})",
    ):
        form = adjustment(text, organizations)
        assert form.is_valid(), (text, form.errors)
        assert form.cleaned_data["organization"] == organization
        assert form.cleaned_data["creator"] is None


def test_an_unknown_organization_is_an_error_on_the_field_in_both_languages(
    operator, organization, approved
):
    organizations = adjustable_organizations(operator, approved)
    form = adjustment("No such agency", organizations)
    assert not form.is_valid()
    assert form.errors["organization"] == ["No organization on this list has this name or id."]
    with translation.override("zh-hans"):
        form = adjustment(f"{organization.legal_name} (#{organization.pk + 1000})", organizations)
        assert not form.is_valid()
        assert form.errors["organization"] == ["本名单上没有这个名称或编号的机构。"]


def test_a_name_two_organizations_share_is_ambiguous_and_the_id_decides(db, beauty):
    first = OrganizationFactory(legal_name="同名文化传媒有限公司", categories=[beauty])
    second = OrganizationFactory(legal_name="同名文化传媒有限公司", categories=[beauty])
    organizations = Organization.objects.filter(pk__in=[first.pk, second.pk])
    form = adjustment("同名文化传媒有限公司", organizations)
    assert not form.is_valid()
    (error,) = form.errors["organization"]
    assert "Several organizations on this list" in error and "enter its id" in error
    with translation.override("zh-hans"):
        form = adjustment("同名文化传媒有限公司", organizations)
        assert not form.is_valid()
        assert "多个机构" in form.errors["organization"][0]
    form = adjustment(f"同名文化传媒有限公司 (#{second.pk})", organizations)
    assert form.is_valid() and form.cleaned_data["organization"] == second


def test_an_organization_without_a_line_or_out_of_sight_is_not_found(
    operator, pets_manager, organization, other_organization, approved
):
    """other_organization has no line on the list; a pets manager does not see organization."""
    form = adjustment(other_organization.legal_name, adjustable_organizations(operator, approved))
    assert form.errors["organization"] == ["No organization on this list has this name or id."]
    form = adjustment(str(organization.pk), adjustable_organizations(pets_manager, approved))
    assert form.errors["organization"] == ["No organization on this list has this name or id."]


def test_neither_creator_nor_organization_asks_for_one(operator, approved):
    form = adjustment("", adjustable_organizations(operator, approved))
    assert form.errors["organization"] == ["Choose a creator or an organization."]


def test_an_overflowing_id_is_a_name_not_found_rather_than_an_error(operator, approved):
    form = adjustment("9" * 40, adjustable_organizations(operator, approved))
    assert form.errors["organization"] == ["No organization on this list has this name or id."]


def test_suggestions_are_capped_and_ordered_by_name(db, beauty):
    made = [
        OrganizationFactory(legal_name=f"星光传媒{n:02}", categories=[beauty])
        for n in range(ORGANIZATION_MATCHES + 5)
    ]
    organizations = Organization.objects.filter(pk__in=[o.pk for o in made])
    found = organization_suggestions(organizations, "星光")
    assert [o.legal_name for o in found] == [f"星光传媒{n:02}" for n in range(ORGANIZATION_MATCHES)]
    assert organization_suggestions(organizations, "   ") == []
    assert organization_suggestions(organizations, str(made[-1].pk)) == [made[-1]]


def test_the_suggestions_endpoint_offers_the_list_organizations_as_options(
    client, operator, organization, other_organization, approved
):
    client.force_login(operator)
    url = reverse("incentives:list_adjust_organizations", args=[approved.pk])
    response = client.get(url, {"organization": "星河"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert f'<option value="{organization.legal_name} (#{organization.pk})">' in text
    assert other_organization.legal_name not in text
    # Another organization's name matches nothing: it has no line on this list.
    response = client.get(
        url, {"organization": other_organization.legal_name[:4]}, HTTP_HX_REQUEST="true"
    )
    assert "<option" not in response.content.decode()
    # Opened without htmx (no JavaScript), the same search is a whole page with a form.
    page = client.get(url, {"organization": "星河"}).content.decode()
    assert "<main" in page and 'name="organization"' in page
    assert f"{organization.legal_name} (#{organization.pk})" in page
    assert other_organization.legal_name not in page


def test_the_list_page_offers_a_labelled_field_with_suggestions_not_a_select(
    client, operator, organization, approved
):
    client.force_login(operator)
    page = client.get(reverse("incentives:list", args=[approved.pk])).content.decode()
    search = reverse("incentives:list_adjust_organizations", args=[approved.pk])
    assert '<select name="organization"' not in page
    assert 'list="adjust-organizations"' in page and '<datalist id="adjust-organizations">' in page
    assert f'hx-get="{search}"' in page
    assert '<label for="id_organization">' in page


def test_an_adjustment_by_name_is_confirmed_and_posted(client, operator, organization, approved):
    client.force_login(operator)
    url = reverse("incentives:list_adjust", args=[approved.pk])
    form = {
        "account": "",
        "organization": organization.legal_name,
        "pool": "cash",
        "amount": "80.00",
        "reason_code": "returned_payment",
        "note": "Paid again",
    }
    confirm = client.post(url, form).content.decode()
    assert "80.00 CNY" in confirm and organization.legal_name in confirm
    before = LedgerEntry.objects.count()
    client.post(url, {**form, "confirmed": "1"})
    entry = LedgerEntry.objects.get(kind="adjustment")
    assert LedgerEntry.objects.count() == before + 1
    assert entry.organization == organization and entry.amount == Decimal("80.00")


def test_an_unknown_name_goes_back_to_the_list_with_the_error(client, operator, approved):
    client.force_login(operator)
    url = reverse("incentives:list_adjust", args=[approved.pk])
    response = client.post(
        url,
        {
            "organization": "Nobody",
            "pool": "cash",
            "amount": "1",
            "reason_code": "returned_payment",
            "note": "x",
        },
        follow=True,
    )
    assert "No organization on this list has this name or id." in response.content.decode()
    assert not LedgerEntry.objects.filter(kind="adjustment").exists()
