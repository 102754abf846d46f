"""The roster page of an organization that has just been approved: an empty roster says how to
bring creators in, to those who may."""

from django.urls import reverse

from tests.creators.factories import BindingFactory


def test_an_empty_roster_offers_the_import_to_owners_and_admins(client, owner, member):
    client.force_login(owner)
    html = client.get(reverse("creators:roster")).content.decode()
    results = html.split('id="results"')[1]
    assert "No creators on your roster yet" in results
    assert f'href="{reverse("creators:imports")}"' in results
    assert f'href="{reverse("creators:claim")}"' in results
    assert "export.csv" not in results  # nothing to export
    assert html.count(f'href="{reverse("creators:imports")}"') == 1  # once, where it is explained
    client.force_login(member)
    results = client.get(reverse("creators:roster")).content.decode().split('id="results"')[1]
    assert "No creators on your roster yet" in results
    assert reverse("creators:imports") not in results
    assert "owners and admins add creators" in results


def test_a_filter_with_no_match_is_not_an_empty_roster(client, owner, organization):
    BindingFactory(organization=organization)
    client.force_login(owner)
    html = client.get(reverse("creators:roster"), {"q": "nobody-has-this-name"}).content.decode()
    assert "No creators match these filters." in html
    assert "No creators on your roster yet" not in html


def test_select_all_without_javascript_ticks_the_page(client, owner, organization):
    for _ in range(3):
        BindingFactory(organization=organization)
    client.force_login(owner)
    html = client.get(reverse("creators:roster"), {"select": "all"}).content.decode()
    assert html.count('name="creators"') == 3
    assert html.count('name="creators" value=') == html.count(" checked aria-label=")
