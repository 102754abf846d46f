"""The rules editor at the program's size (every creative field × three levels): each table as
wide as its inputs need, scrolling inside its card on a phone, levels grouped and folded."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_coaching import sign_in
from tests.incentives.test_rules_editor import draft_with_every_field

pytestmark = pytest.mark.django_db(transaction=True)

# For every input of a table: its width, whether its value is cut, and whether it sticks out of
# the table's scrolling box; for the box: whether it scrolls.
MEASURE = """wrap => {
  const box = wrap.getBoundingClientRect();
  const inputs = [...wrap.querySelectorAll("input:not([type=hidden]):not([type=checkbox])")];
  return {
    scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
    inputs: inputs.map(i => ({
      name: i.name,
      width: i.getBoundingClientRect().width,
      cut: i.scrollWidth > i.clientWidth + 1,
      outside: i.getBoundingClientRect().right > box.right + 1,
    })),
  };
}"""


def test_rule_tables_have_the_width_they_need(page, live_server, operator):
    draft = draft_with_every_field(operator)
    sign_in(page, live_server, operator.email)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/rewards/rules/{draft.pk}/")
    folded = page.evaluate("document.documentElement.scrollHeight")
    assert folded < 3200, f"the editor is {folded}px tall with every field folded"

    group = page.locator("details.rule-group", has_text="美妆").or_(
        page.locator("details.rule-group", has_text="Beauty")
    )
    group.locator("summary").click()
    expect(group.locator("tbody tr")).to_have_count(4)
    for wrap in (group.locator(".table-wrap"), page.locator("#tiers ~ .table-wrap")):
        figures = wrap.evaluate(MEASURE)
        assert not figures["scrolls"], figures
        for field in figures["inputs"]:
            assert field["width"] >= 56, field  # a level or a tier number is readable
            assert not field["cut"] and not field["outside"], field
    tier = page.locator("input[name='tier-0-level']")
    expect(tier).to_have_value("1")

    page.set_viewport_size({"width": 390, "height": 844})
    figures = group.locator(".table-wrap").evaluate(MEASURE)
    assert figures["scrolls"], "on a phone the table scrolls inside its card"
    assert all(field["width"] >= 56 for field in figures["inputs"]), figures
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page itself does not"
