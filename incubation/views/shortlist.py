"""The year's top-100 shortlist: the 100-slot grid, pinning and excluding with reasons, proposing
from the ranking, freezing and publishing; the weekly snapshots with their diffs; and the
published list every signed-in person reads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from creators.models import Binding, Creator
from incubation import selectors
from incubation.forms import AwardForm, ExcludeForm, PinForm
from incubation.models import (
    SHORTLIST_SLOTS,
    Shortlist,
    ShortlistSnapshot,
    ShortlistStatus,
    SnapshotKind,
)
from incubation.services import (
    StaleShortlist,
    shortlist_add,
    shortlist_award,
    shortlist_exclude,
    shortlist_for,
    shortlist_freeze,
    shortlist_include,
    shortlist_propose,
    shortlist_publish,
)
from portal.accounts.permissions import action_required, can
from portal.core.rendering import render_page

from .common import error_text, own_organization, tabs

GRID_COLUMNS = 10
CELL = 10  # the grid's cell size in SVG units (a 100 × 100 view box for 10 × 10 slots)


def grid(entries: list) -> list[dict]:
    """The 100 slots in list order: each with its position, x/y in the SVG grid and the entry
    filling it (or None)."""
    cells = []
    for index in range(SHORTLIST_SLOTS):
        entry = entries[index] if index < len(entries) else None
        cells.append(
            {
                "position": index + 1,
                "x": (index % GRID_COLUMNS) * CELL + 1,
                "y": (index // GRID_COLUMNS) * CELL + 1,
                "entry": entry,
                "kind": "empty" if entry is None else ("pinned" if entry.pinned else "filled"),
            }
        )
    return cells


def _creator(request, field="account") -> Creator:
    account = request.POST.get(field, "").strip()
    creator_id = request.POST.get("creator", "")
    creators = Creator.objects.for_user(request.user)
    if creator_id.isdigit():
        return get_object_or_404(creators, pk=creator_id)
    creator = creators.filter(platform_account_id=account).first() if account else None
    if creator is None:
        raise ValidationError(_("No creator you may edit has this account id."))
    return creator


def _version(request) -> int:
    try:
        return int(request.POST.get("expected_version", ""))
    except ValueError:
        raise StaleShortlist(
            _("The page did not say which version of the shortlist you saw; reload it.")
        ) from None


def _form_data(form) -> dict:
    if not form.is_valid():
        raise ValidationError([m for errors in form.errors.values() for m in errors])
    return form.cleaned_data


def _shortlist_post(request, act, *, decide: bool = False):
    """Run one action on this year's shortlist: back to the page when done or refused; a stale
    version changed nothing, so the page shows the list as it is now (409) to edit again."""
    if decide and not can(request.user, "shortlist.decide"):
        raise PermissionDenied
    shortlist = shortlist_for(timezone.localdate().year)
    try:
        messages.success(request, act(request.user, shortlist))
    except StaleShortlist as error:
        messages.error(request, error_text(error))
        shortlist.refresh_from_db()
        return _shortlist_page(request, shortlist, status=409)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("incubation:shortlist")


@require_POST
@action_required("shortlist.edit")
def pin(request):
    def act(actor, shortlist):
        reason = _form_data(PinForm(request.POST))["reason"]
        creator = _creator(request)
        shortlist_add(
            actor=actor,
            shortlist=shortlist,
            creator=creator,
            reason=reason,
            expected_version=_version(request),
        )
        return _("%(name)s is pinned to the shortlist.") % {"name": creator.display_name}

    return _shortlist_post(request, act)


@require_POST
@action_required("shortlist.edit")
def exclude(request):
    def act(actor, shortlist):
        creator = _creator(request)
        shortlist_exclude(
            actor=actor,
            shortlist=shortlist,
            creator=creator,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
        return _("%(name)s is kept off the shortlist.") % {"name": creator.display_name}

    return _shortlist_post(request, act)


@require_POST
@action_required("shortlist.edit")
def include(request):
    def act(actor, shortlist):
        creator = _creator(request)
        shortlist_include(
            actor=actor, shortlist=shortlist, creator=creator, expected_version=_version(request)
        )
        return _("%(name)s may be proposed again.") % {"name": creator.display_name}

    return _shortlist_post(request, act)


@require_POST
@action_required("shortlist.edit")
def propose(request):
    def act(actor, shortlist):
        count = shortlist_propose(
            actor=actor, shortlist=shortlist, expected_version=_version(request)
        )
        return _(
            "Proposed from the latest ranking: %(count)d creators besides the pinned ones."
        ) % {"count": count}

    return _shortlist_post(request, act, decide=True)


@require_POST
@action_required("shortlist.edit")
def freeze(request):
    def act(actor, shortlist):
        shortlist_freeze(actor=actor, shortlist=shortlist, expected_version=_version(request))
        return _("The shortlist is frozen; its creators moved to the top-100 stage.")

    return _shortlist_post(request, act, decide=True)


@require_POST
@action_required("shortlist.edit")
def publish(request):
    def act(actor, shortlist):
        shortlist_publish(actor=actor, shortlist=shortlist)
        return _("The shortlist is published; the organizations have been told.")

    return _shortlist_post(request, act, decide=True)


@require_POST
@action_required("shortlist.edit")
def award(request):
    if not can(request.user, "settlement.approve"):
        raise PermissionDenied

    def act(actor, shortlist):
        data = _form_data(AwardForm(request.POST))
        count = shortlist_award(
            actor=actor,
            shortlist=shortlist,
            reward_list=data["reward_list"],
            amount=data["amount"],
            pool=data["pool"],
            note=data["note"],
        )
        return _("Incubation rewards added for %(count)d creators, with their ledger entries.") % {
            "count": count
        }

    return _shortlist_post(request, act)


@require_GET
@action_required("shortlist.edit")
def shortlist_page(request):
    return _shortlist_page(request, shortlist_for(timezone.localdate().year))


def _shortlist_page(request, shortlist, status: int = 200):
    entries = selectors.ordered_entries(shortlist)
    editable = shortlist.status == ShortlistStatus.OPEN
    for entry in entries:
        entry.editable = editable and can(request.user, "shortlist.edit", entry.creator)
    return render_page(
        request,
        "incubation/shortlist.html",
        {
            **tabs(request),
            **selectors.shortlist_figures(shortlist, entries),
            "shortlist": shortlist,
            "entries": entries,
            "cells": grid(entries),
            "editable": editable,
            "may_decide": can(request.user, "shortlist.decide"),
            # two forms with the same field names on one page: distinct ids
            "pin_form": PinForm(auto_id="pin_%s"),
            "award_form": AwardForm(auto_id="award_%s")
            if shortlist.status == ShortlistStatus.PUBLISHED
            and can(request.user, "settlement.approve")
            else None,
            "exclude_form": ExcludeForm(auto_id="exclude_%s"),
        },
        status=status,
    )


@action_required("shortlist.edit")
def snapshot_page(request, pk: int):
    snapshot = get_object_or_404(ShortlistSnapshot.objects.select_related("shortlist"), pk=pk)
    older = (
        ShortlistSnapshot.objects.filter(shortlist=snapshot.shortlist)
        .filter(
            Q(taken_on__lt=snapshot.taken_on) | Q(taken_on=snapshot.taken_on, pk__lt=snapshot.pk)
        )
        .order_by("-taken_on", "-id")
        .first()
    )
    diff = selectors.snapshot_diff(older, snapshot)
    return render_page(
        request,
        "incubation/snapshot.html",
        {
            **tabs(request),
            "snapshot": snapshot,
            "older": older,
            "diff": diff,
            "rows": snapshot.rows.select_related("creator__primary_category"),
        },
    )


@action_required("incubation.view")
def published(request, year: int):
    shortlist = Shortlist.objects.filter(year=year, status=ShortlistStatus.PUBLISHED).first()
    if shortlist is None:
        raise Http404
    final = get_object_or_404(ShortlistSnapshot, shortlist=shortlist, kind=SnapshotKind.FINAL)
    rows = list(final.rows.select_related("creator__primary_category"))
    organization = own_organization(request.user)
    own = set()
    if organization is not None:
        own = set(
            Binding.objects.filter(
                organization=organization,
                ended_on__isnull=True,
                creator_id__in=[row.creator_id for row in rows],
            ).values_list("creator_id", flat=True)
        )
    for row in rows:
        row.own = row.creator_id in own
    return render_page(
        request,
        "incubation/published.html",
        {
            **tabs(request),
            "shortlist": shortlist,
            "rows": rows,
            "organization": organization,
            "own_count": len(own),
        },
    )
