import datetime

import pytest

from content.models import OriginalityReview, ReasonCode
from tests.content.factories import HASH_A, check, make_video
from tests.creators.factories import BindingFactory, CreatorFactory


@pytest.fixture
def suspect(organization, other_organization):
    """A video of the beauty organization's creator that copies an earlier video of a creator of
    the pets organization: suspected, in review."""
    theirs = BindingFactory(organization=other_organization, started_on=datetime.date(2026, 1, 1))
    ours = BindingFactory(organization=organization, started_on=datetime.date(2026, 1, 1))
    original = make_video(theirs.creator, frames=HASH_A, days_ago=6, title="原版开箱")
    copy = make_video(ours.creator, frames=HASH_A, days_ago=2, title="搬运的开箱视频")
    check()
    copy.refresh_from_db()
    return {
        "video": copy,
        "original": original,
        "review": OriginalityReview.objects.get(video=copy),
    }


@pytest.fixture
def reasons():
    return {
        code: ReasonCode.objects.get(code=code)
        for code in ("reupload", "own_footage", "commentary")
    }


@pytest.fixture
def second_manager(beauty):
    from tests.accounts.factories import ManagerFactory

    return ManagerFactory(email="second@example.com", full_name="Sam Second", categories=[beauty])


__all__ = ["CreatorFactory"]
