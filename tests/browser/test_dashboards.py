"""Each role signs in through a real browser and sees its own dashboard, in Chinese and in English."""

import pytest
from playwright.sync_api import expect

from organizations.models import OrgRole
from tests.accounts.factories import PASSWORD, ManagerFactory, OperatorFactory
from tests.creators.factories import BindingFactory
from tests.organizations.factories import OrganizationFactory, make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(beauty):
    organization = OrganizationFactory(legal_name="杭州星河文化传媒有限公司", categories=[beauty])
    BindingFactory(organization=organization)
    return {
        "operator": OperatorFactory(email="op@example.com", language="zh-hans"),
        "manager": ManagerFactory(email="mgr@example.com", language="zh-hans", categories=[beauty]),
        "owner": make_member(
            organization, OrgRole.OWNER, email="owner@example.com", language="zh-hans"
        ),
    }


EXPECTED = {
    # role: (Chinese heading, English heading, a Chinese and an English text further down)
    "operator": ("项目概览", "Program overview", "待审核申请", "Applications awaiting review"),
    "manager": ("我负责的类目", "My categories", "美妆", "Beauty"),
    "owner": (
        "杭州星河文化传媒有限公司",
        "杭州星河文化传媒有限公司",
        "名下达人",
        "Creators on the roster",
    ),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_signs_in_and_sees_its_dashboard_in_both_languages(
    page, live_server, people, role
):
    zh_heading, en_heading, zh_text, en_text = EXPECTED[role]
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    page.get_by_label("邮箱地址").fill(people[role].email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(zh_heading)
    expect(page.get_by_role("main")).to_contain_text(zh_text)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(en_heading)
    expect(page.get_by_role("main")).to_contain_text(en_text)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Sign out from the user menu, with the keyboard.
    page.locator(".usermenu summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_dashboard_fits_a_phone_screen(page, live_server, people):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("邮箱地址").fill(people["operator"].email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("项目概览")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def test_the_api_docs_render_from_our_static_files_under_the_csp(page, live_server):
    blocked = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("/api/v1/organizations/", exact=True).first).to_be_visible()
    assert blocked == []
