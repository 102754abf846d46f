"""Near-duplicate detection against a brute-force reference on random fingerprints: the banded
index lookup must find exactly the pairs a full comparison finds, at the threshold edge too."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.fingerprint import BANDS, bands, hamming, probe_masks, to_signed
from content.models import Finding, FindingKind, Originality, OriginalityRule, Video
from content.services.checks import near_duplicate_pairs
from tests.content.factories import HASH_A, check, flipped, make_video, make_videos, row
from tests.creators.factories import CreatorFactory

hashes = st.integers(min_value=0, max_value=2**64 - 1).map(to_signed)


def test_every_hash_within_the_threshold_shares_a_probed_band():
    base = 0x0F0F0F0F0F0F0F0F
    for threshold in range(0, 9):
        masks = probe_masks(threshold)
        for flips in range(threshold + 1):
            other = base ^ sum(1 << (i * 7 % 64) for i in range(flips))
            assert any(bands(base)[band] ^ mask == bands(other)[band] for band, mask in masks), (
                threshold,
                flips,
            )


def reference(videos: dict[int, list[int]], rule: OriginalityRule, checked: list[int]):
    """Every pair by brute force: distinct frames of the checked video within the threshold of
    some frame of the other, at least min(rule frames, its frame count)."""
    pairs = set()
    for q in checked:
        needed = min(rule.min_matching_frames, len(videos[q]))
        for s, other_frames in videos.items():
            if s == q:
                continue
            matched = [
                f
                for f in videos[q]
                if any(hamming(f, g) <= rule.hamming_threshold for g in other_frames)
            ]
            if len(matched) >= needed:
                pairs.add((q, s))
    return pairs


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    threshold=st.integers(min_value=0, max_value=8),
    needed=st.integers(min_value=1, max_value=3),
)
def test_banded_lookup_finds_exactly_what_brute_force_finds(data, threshold, needed):
    rule = OriginalityRule(hamming_threshold=threshold, min_matching_frames=needed)
    creators = [CreatorFactory() for _ in range(3)]
    seeds = data.draw(st.lists(hashes, min_size=2, max_size=4))
    rows, frames = [], {}
    for number in range(8):
        count = data.draw(st.integers(min_value=1, max_value=3))
        own = []
        for _ in range(count):
            seed = data.draw(st.sampled_from(seeds))
            # Near a seed by a number of flipped bits around the threshold, or far away.
            distance = data.draw(st.sampled_from([0, 1, threshold, threshold + 1, 64]))
            positions = data.draw(
                st.lists(st.integers(0, 63), min_size=distance, max_size=distance, unique=True)
                if distance <= 63
                else st.just([])
            )
            value = seed if distance <= 63 else data.draw(hashes)
            for bit in positions:
                value = to_signed(value ^ (1 << bit))
            own.append(value)
        rows.append(row(creators[number % 3], frames=own, days_ago=10 - number))
    videos = make_videos(*rows)
    frames = {v.pk: list(v.frames.values_list("hash", flat=True)) for v in videos}
    checked = [v.pk for v in videos]
    found = {(q, s) for q, s, _n, _d in near_duplicate_pairs(checked, rule)}
    assert found == reference(frames, rule, checked)
    Video.objects.all().delete()


@pytest.mark.django_db
def test_a_match_at_the_threshold_is_found_and_one_bit_more_is_not(
    organization, other_organization
):
    rule = OriginalityRule.objects.in_force(timezone.localdate())
    threshold = rule.hamming_threshold
    original = make_video(CreatorFactory(), frames=HASH_A, days_ago=5)
    at_edge = make_video(
        CreatorFactory(), frames=[flipped(h, threshold) for h in HASH_A], days_ago=2
    )
    beyond = make_video(
        CreatorFactory(), frames=[flipped(h, threshold + 1) for h in HASH_A], days_ago=1
    )
    check()
    at_edge.refresh_from_db()
    beyond.refresh_from_db()
    assert at_edge.originality == Originality.SUSPECTED
    finding = Finding.objects.get(video=at_edge, matched_video=original)
    assert (finding.kind, finding.distance, finding.frames_matched) == (
        FindingKind.NEAR_DUPLICATE,
        threshold,
        3,
    )
    # `beyond` is within 1 bit of `at_edge`: a near-duplicate of it, not of the original.
    assert not Finding.objects.filter(video=beyond, matched_video=original).exists()
    assert BANDS == 3


@pytest.mark.django_db
def test_the_earlier_video_is_the_presumed_original_and_own_videos_are_reuploads():
    creator, other = CreatorFactory(), CreatorFactory()
    later = make_video(other, frames=HASH_A, days_ago=1)
    earlier = make_video(creator, frames=HASH_A, days_ago=9)  # sent afterwards (a backfill)
    again = make_video(
        creator, frames=HASH_A, published_at=timezone.now() - datetime.timedelta(hours=2)
    )
    check()
    assert (
        Finding.objects.get(video=later, matched_video=earlier).kind == FindingKind.NEAR_DUPLICATE
    )
    assert Finding.objects.get(video=again, matched_video=earlier).kind == FindingKind.REUPLOAD
    assert not Finding.objects.filter(video=earlier).exists()
    earlier.refresh_from_db()
    assert earlier.originality == Originality.CLEAR


@pytest.mark.django_db
def test_one_frame_in_common_is_not_enough_when_the_rule_asks_for_two():
    make_video(CreatorFactory(), frames=HASH_A, days_ago=4)
    lone = make_video(CreatorFactory(), frames=[HASH_A[0], 0x5A5A5A5A5A5A5A5A, 0x3C3C3C3C3C3C3C3C])
    check()
    lone.refresh_from_db()
    assert lone.originality == Originality.CLEAR
