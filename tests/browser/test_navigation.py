"""The site navigation: one row at 1366px even in English for an operator's sections (content
and settings pages in menus of their own), a menu on a phone that lists every page and is walked
with the keyboard (and without JavaScript), and Chinese labels that never break one character per
line."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_coaching import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Each visible navigation link: its label, its box and the height of one line of its text.
LINKS = """() => [...document.querySelectorAll('.mainnav a')].map(a => {
  const r = a.getBoundingClientRect(), style = getComputedStyle(a);
  return {label: a.textContent.trim(), href: a.getAttribute('href'), top: Math.round(r.top),
          height: r.height, width: r.width, visible: r.width > 0 && r.height > 0,
          line: parseFloat(style.lineHeight) + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)};
})"""

# The entries of the header row: a link, or a group's button.
ENTRIES = LINKS.replace(
    "document.querySelectorAll('.mainnav a')",
    "[...document.querySelectorAll('.mainnav > ul > li')].map("
    "li => li.querySelector(':scope > a, :scope > details > summary'))",
)
OPERATOR_PAGES = 17  # every page of the navigation an operator may open (risk center, appeals)
OPERATOR_ENTRIES = 10  # eight sections (growth included), the content and settings menus


def use_language(page, live_server, user, language):
    user.language = language
    user.save(update_fields=["language"])
    sign_in(page, live_server, user.email)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_header_is_one_row_at_1366_px(page, live_server, operator, language):
    page.set_viewport_size({"width": 1366, "height": 800})
    use_language(page, live_server, operator, language)
    links = page.evaluate(ENTRIES)
    assert len(links) == OPERATOR_ENTRIES and all(link["visible"] for link in links), links
    assert len({link["top"] for link in links}) == 1, links  # one row
    assert all(link["height"] <= link["line"] + 1 for link in links), links  # one line each
    header = page.locator(".topbar").bounding_box()
    tools = page.locator(".topbar-tools").bounding_box()
    assert header["height"] < 64, header
    assert tools["y"] < links[0]["top"] + links[0]["height"], (tools, links[0])
    expect(page.locator(".navmenu > summary")).to_be_hidden()


@pytest.mark.parametrize("language", ["en"])
def test_a_menu_of_the_header_row_opens_and_closes_with_the_keyboard(
    page, live_server, operator, language
):
    page.set_viewport_size({"width": 1366, "height": 800})
    use_language(page, live_server, operator, language)
    groups = page.locator(".navgroup > details")
    assert groups.count() == 2
    content = groups.nth(0)
    expect(content.locator("a").first).to_be_hidden()
    content.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(content.locator("a")).to_have_count(4)  # videos, originality, grading, placements
    for link in content.locator("a").all():
        expect(link).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Videos")
    page.keyboard.press("Escape")
    expect(content.locator("a").first).to_be_hidden()
    expect(content.locator("summary")).to_be_focused()
    # A click elsewhere closes an open menu; its pages are one click away.
    page.keyboard.press("Enter")
    page.locator("main").click(position={"x": 5, "y": 5})
    expect(content.locator("a").first).to_be_hidden()
    content.locator("summary").click()
    content.get_by_role("link", name="Originality").click()
    page.wait_for_url(f"{live_server.url}{reverse('content:reviews')}")
    expect(page.locator(".navgroup summary.current")).to_have_text("Content")


def open_menu_by_keyboard(page):
    summary = page.locator(".navmenu > summary")
    for _ in range(8):
        page.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    expect(summary).to_be_focused()
    expect(page.locator(".mainnav")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator(".mainnav")).to_be_visible()
    expect(summary).to_have_attribute("aria-controls", "mainnav")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_section_is_reached_from_the_phone_menu_by_keyboard(
    page, live_server, operator, language
):
    page.set_viewport_size({"width": 390, "height": 844})
    use_language(page, live_server, operator, language)
    dashboard = f"{live_server.url}{reverse('core:dashboard')}"
    page.goto(dashboard)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    open_menu_by_keyboard(page)
    sections = page.evaluate(LINKS)
    assert len(sections) == OPERATOR_PAGES and all(link["visible"] for link in sections)
    for link in sections:  # one line each, never one character per line
        assert link["height"] <= link["line"] + 1 and link["width"] > 120, link
    page.keyboard.press("Escape")
    expect(page.locator(".mainnav")).to_be_hidden()
    expect(page.locator(".navmenu > summary")).to_be_focused()

    for index, section in enumerate(sections):
        page.goto(dashboard)
        open_menu_by_keyboard(page)
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_text(section["label"])
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}{section['href']}")
        expect(page.locator("main")).to_have_count(1)
        expect(page.locator(".mainnav a[aria-current=page]")).to_have_count(1)


def test_the_phone_menu_opens_without_javascript(browser, live_server, owner):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    use_language(page, live_server, owner, "zh-hans")
    expect(page.locator(".mainnav")).to_be_hidden()
    page.locator(".navmenu > summary").click()
    page.get_by_role("navigation").get_by_role("link", name="达人").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('creators:roster')}")
    context.close()
