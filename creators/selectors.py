"""Reads of creators shown to people: rosters and what each row needs, in a bounded number of
queries whatever the roster's size."""

from django.db.models import F
from django.utils import timezone

from .introduced import counting_bindings, cycle_of
from .models import Binding, BindingSource, Creator


def roster_queryset(user):
    """Every creator the user may see, with their current binding joined in once."""
    return (
        Creator.objects.for_user(user)
        .with_active_binding()
        .annotate(
            organization_id=F("active__organization_id"),
            organization_name=F("active__organization__legal_name"),
            joined_on=F("active__started_on"),
            binding_source=F("active__source"),
            binding_id=F("active__id"),
        )
        .select_related("primary_category")
    )


def introduced_marks(creators) -> dict[int, str]:
    """For a page of creators: "yes" (counts this month), "pending" (recruited this month, the
    window still open) or nothing."""
    today = timezone.localdate()
    start, end = cycle_of(today)
    ids = [c.pk for c in creators]
    active = Binding.objects.filter(creator_id__in=ids, ended_on__isnull=True)
    counting = set(
        counting_bindings(active, cycle_start=start).values_list("creator_id", flat=True)
    )
    recruited = set(
        active.filter(
            source=BindingSource.RECRUITED, started_on__gte=start, started_on__lt=end
        ).values_list("creator_id", flat=True)
    )
    return {pk: "yes" for pk in counting} | {pk: "pending" for pk in recruited - counting}
