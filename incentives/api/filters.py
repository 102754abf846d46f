"""Filters of the incentives API. Ids are plain numbers: an id the caller may not see filters to
nothing, it does not answer "no such choice" (which would tell that it exists)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incentives.models import (
    Cycle,
    LineKind,
    ListStatus,
    PoolKind,
    Program,
    ProgramStatus,
    RewardLine,
    RewardList,
)
from portal.core.api.filters import IdFilter


class ProgramFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=ProgramStatus.choices)

    class Meta:
        model = Program
        fields = ["status"]


class CycleFilterSet(django_filters.FilterSet):
    program = IdFilter(label=_("program"), field_name="program")

    class Meta:
        model = Cycle
        fields = ["program"]


class RewardListFilterSet(django_filters.FilterSet):
    program = IdFilter(label=_("program"), field_name="cycle__program")
    cycle = IdFilter(label=_("cycle"), field_name="cycle")
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=ListStatus.choices)

    class Meta:
        model = RewardList
        fields = ["program", "cycle", "status"]


class ListLineFilterSet(django_filters.FilterSet):
    """The lines of one list (the list is in the path)."""

    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=LineKind.choices)
    pool = django_filters.ChoiceFilter(label=_("pool"), choices=PoolKind.choices)
    organization = IdFilter(label=_("organization"), field_name="organization")
    creator = IdFilter(label=_("creator"), field_name="creator")

    class Meta:
        model = RewardLine
        fields = ["kind", "pool", "organization", "creator"]


class RewardLineFilterSet(ListLineFilterSet):
    """Statement lines across lists."""

    reward_list = IdFilter(label=_("reward list"), field_name="reward_list")
    cycle = IdFilter(label=_("cycle"), field_name="reward_list__cycle")
    program = IdFilter(label=_("program"), field_name="reward_list__cycle__program")

    class Meta:
        model = RewardLine
        fields = ["reward_list", "cycle", "program", "kind", "pool", "organization", "creator"]
