"""Filters of the incubation API. Ids are plain numbers: an id the caller may not see filters to
nothing, it does not answer "no such choice" (which would tell that it exists)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incubation.models import (
    Nomination,
    NominationStatus,
    PoolMember,
    PoolSource,
    PoolStage,
    ScoreSnapshot,
)
from portal.core.api.filters import IdFilter


class PoolMemberFilterSet(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(label=_("stage"), choices=PoolStage.choices)
    category = IdFilter(label=_("creative field"), field_name="creator__primary_category")
    source = django_filters.ChoiceFilter(label=_("entered by"), choices=PoolSource.choices)
    creator = IdFilter(label=_("creator"), field_name="creator")

    class Meta:
        model = PoolMember
        fields = ["stage", "category", "source", "creator"]


class NominationFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=NominationStatus.choices
    )
    creator = IdFilter(label=_("creator"), field_name="creator")
    organization = IdFilter(label=_("organization"), field_name="organization")

    class Meta:
        model = Nomination
        fields = ["status", "creator", "organization"]


class RankingFilterSet(django_filters.FilterSet):
    """The scores of one day: `day`, or the latest day scored when it is left out."""

    day = django_filters.DateFilter(label=_("day"), field_name="day")
    category = IdFilter(label=_("creative field"), field_name="category")
    held_out = django_filters.BooleanFilter(label=_("held out"), field_name="held_out")
    creator = IdFilter(label=_("creator"), field_name="creator")

    class Meta:
        model = ScoreSnapshot
        fields = ["day", "category", "held_out", "creator"]
