"""A manager decides a suspected copy with the keyboard; the organization's owner reads the reason
(in Chinese) and appeals; another reviewer upholds the appeal and the video counts again."""

import datetime

import pytest
from playwright.sync_api import expect

from content.models import AppealStatus, Originality, Video
from tests.browser.test_coaching import sign_in
from tests.content.factories import HASH_A, check, make_video
from tests.creators.factories import BindingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_decide_appeal_and_uphold(
    page, live_server, manager, owner, organization, other_organization, beauty
):
    from tests.accounts.factories import ManagerFactory

    second = ManagerFactory(email="second@example.com", full_name="Sam Second", categories=[beauty])
    theirs = BindingFactory(organization=other_organization, started_on=datetime.date(2026, 1, 1))
    ours = BindingFactory(organization=organization, started_on=datetime.date(2026, 1, 1))
    make_video(theirs.creator, frames=HASH_A, days_ago=6, title="原版开箱")
    video = make_video(ours.creator, frames=HASH_A, days_ago=2, title="搬运的开箱视频")
    check()
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    sign_in(page, live_server, manager.email)
    navigation = page.get_by_role("navigation")
    navigation.locator(".navgroup summary", has_text="Content").click()  # the content menu
    navigation.get_by_role("link", name="Originality").click()
    page.get_by_role("link", name="Start with the oldest").click()
    expect(page.get_by_role("heading", name="Earlier video it matches")).to_be_visible()
    page.wait_for_load_state("load")  # the keyboard script is loaded
    page.keyboard.press("3")  # copy; the reason list takes the focus
    expect(page.get_by_label("Copy", exact=True)).to_be_checked()
    expect(page.get_by_label("Reason")).to_be_focused()
    page.get_by_label("Reason").select_option(label="Re-upload of another creator's video")
    page.get_by_label("Note to the organization").fill("关键帧与原版一致")
    page.get_by_role("button", name="Decide and open the next").click()
    expect(page.locator(".messages")).to_contain_text("Decided")
    video.refresh_from_db()
    assert video.originality == Originality.COPY

    sign_in(page, live_server, owner.email)
    page.goto(f"{live_server.url}/content/videos/{video.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("搬运他人视频")
    expect(main).to_contain_text("关键帧与原版一致")
    page.get_by_label("申诉理由").fill("这是达人本人实拍，可提供原始素材。")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".messages")).to_contain_text("申诉已提交")
    expect(page.get_by_role("button", name="提交申诉")).to_have_count(0)

    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server.url}/content/reviews/")
    expect(page.get_by_role("main")).to_contain_text("No appeal is waiting.")

    sign_in(page, live_server, second.email)
    navigation = page.get_by_role("navigation")
    navigation.locator(".navgroup summary", has_text="Content").click()  # the content menu
    navigation.get_by_role("link", name="Originality").click()
    page.get_by_role("link", name="搬运的开箱视频").click()
    page.get_by_label("Uphold: the video is original").check()
    page.get_by_label("Reason").select_option(
        label="Own footage; only looks like the matched video"
    )
    page.get_by_label("Answer to the organization").fill("原始素材确认无误。")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".messages")).to_contain_text("The appeal was answered.")
    video = Video.objects.get(pk=video.pk)
    assert video.originality == Originality.ORIGINAL and video.counts_as_original
    assert video.review.decisions.get(on_appeal=False).appeal.status == AppealStatus.UPHELD
    assert not [e for e in errors if "Content Security Policy" in e], errors
