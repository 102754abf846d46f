"""Links in tables look like links: an organization's name in the manager's book is underlined
and coloured as a link, not as the text around it."""

import pytest
from django.urls import reverse

from organizations.models import ManagerAssignment
from tests.browser.test_coaching import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_organization_names_in_the_book_look_like_links(page, live_server, manager, organization):
    ManagerAssignment.objects.create(organization=organization, manager=manager)
    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server.url}{reverse('coaching:book')}")
    link = page.get_by_role("link", name=organization.legal_name)
    style = link.evaluate(
        """a => { const s = getComputedStyle(a), cell = getComputedStyle(a.closest('tr').cells[2]);
                  return {line: s.textDecorationLine, color: s.color, text: cell.color}; }"""
    )
    assert style["line"] == "underline", style
    assert style["color"] != style["text"], style
