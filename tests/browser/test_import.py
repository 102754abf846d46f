"""An organization imports a roster file in the browser: reads the row errors, fixes the file,
imports it with a real Celery worker while the progress bar polls, then sees the roster."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "platform account id,display name,primary category,followers,real-name verified\n"
GOOD = ["u300000000001,Lily Beauty,Beauty,12000,yes", "u300000000002,Tom Pets,Pets,800,no"]
BAD = ["u300000000003,Ada Tech,Digital 3C,lots,yes", "u300000000001,Lily again,Beauty,5,yes"]


def test_an_organization_fixes_its_file_and_imports_it(
    page, live_server, owner, real_worker, tmp_path
):
    bad_file = tmp_path / "roster.csv"
    bad_file.write_text(HEADER + "\n".join(GOOD + BAD) + "\n", encoding="utf-8")
    fixed_file = tmp_path / "roster-fixed.csv"
    fixed_file.write_text(
        HEADER + "\n".join([*GOOD, "u300000000003,Ada Tech,Digital 3C,4000,yes"]) + "\n",
        encoding="utf-8",
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Creators").first.click()
    page.get_by_role("link", name="Import a file").click()
    page.locator("#id_file").set_input_files(bad_file)
    page.get_by_role("button", name="Check the file").click()

    # The check runs on the worker; the page polls until it is done, then shows the errors.
    expect(page.get_by_role("heading", name="Rows with errors")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("main")).to_contain_text("“lots” is not a whole number")
    expect(page.get_by_role("main")).to_contain_text("appears earlier in the file, on row 2")
    page.get_by_role("button", name="Discard").click()

    page.locator("#id_file").set_input_files(fixed_file)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("button", name="Import", exact=True)).to_be_visible(timeout=20_000)
    expect(page.locator(".progress-outer")).to_have_attribute("aria-valuenow", "100")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 3 new creators, 3 bindings.")).to_be_visible(timeout=20_000)

    page.get_by_role("link", name="See the roster").click()
    for name in ("Lily Beauty", "Tom Pets", "Ada Tech"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
