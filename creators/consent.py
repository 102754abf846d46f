"""What an organization may see of its creators: the one place the creators' consent is enforced.

A binding's consent (`BindingConsent`, one row per binding, joined on its unique `binding_id`)
says which scopes the creator shares with the organization: earnings (their reward lines and
ledger entries), metrics (their daily figures and the 30-day totals) and contact (the details
they entered). The organization's people see only those; without consent they still see that the
creator is on their roster (name, account id, the consent's state). Platform staff (operators,
category managers) and partner systems are not limited by it: the consent is between a creator
and the organization holding them.

The scoped querysets call these filters inside their `for_organization_member`, so every page
and endpoint reading through `for_user` is covered; each is one join or one correlated subquery
on an index, never a query per row. A binding without a consent row shares nothing (closed by
default); the scopes are set only on a given consent (a check constraint), so a scope's column
alone answers.
"""

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Now

from portal.accounts.models import Role

from .models import Binding, ConsentState, Creator, Scope

ROLLING_FIGURES = ("plays_30d", "valid_plays_30d", "gmv_30d", "metrics_through")


def limited_by_consent(user) -> bool:
    """Organization people see only what creators shared; staff and partners are not limited."""
    return getattr(user, "role", None) == Role.ORGANIZATION


def binding_shares(scope: str, prefix: str = "") -> Q:
    """On bindings (or through `prefix`, a path to a binding): the binding's creator shares
    `scope` with its organization (`BindingQuerySet.sharing` is the same on a binding queryset)."""
    return Q(**{f"{prefix}consent__{Scope(scope).value}": True})


def creator_rows_shared(
    scope: str, *, creator: str = "creator_id", organization: str = "organization_id"
) -> Q:
    """On rows naming a creator and an organization (reward lines, ledger entries): the
    organization's own rows (no creator), and its creators' rows when every binding of the
    creator with the organization shares `scope` (a withdrawal on the current binding hides the
    earlier periods' rows too; a binding without consent hides them)."""
    pair = Binding.objects.filter(
        creator_id=OuterRef(creator), organization_id=OuterRef(organization)
    )
    return Q(**{f"{creator.removesuffix('_id')}__isnull": True}) | (
        Exists(pair.filter(binding_shares(scope))) & ~Exists(pair.exclude(binding_shares(scope)))
    )


def roster_consent(user) -> dict:
    """Annotations for a creator queryset with its current binding joined as `active`
    (`CreatorQuerySet.with_active_binding`): `consent_state` (None without a binding), the
    consent's `consent_<scope>` (what the creator shares), `shares_<scope>` (what the user may
    see: True for people consent does not limit) and the contact details the user may see. One
    more LEFT JOIN on the consent's unique binding key."""
    annotations = {
        # A pending consent whose link has lapsed reads as expired.
        "consent_state": Case(
            When(
                active__consent__state=ConsentState.PENDING,
                active__consent__expires_at__lte=Now(),
                then=Value(ConsentState.EXPIRED.value),
            ),
            default=F("active__consent__state"),
        ),
    }
    for scope in Scope.values:
        annotations[f"consent_{scope}"] = F(f"active__consent__{scope}")
        annotations[f"shares_{scope}"] = (
            Coalesce(F(f"active__consent__{scope}"), Value(False))
            if limited_by_consent(user)
            else Value(True)
        )
    # The 30-day figures kept on the creator are metrics too: `shared_<field>`, None unshared.
    for field in ROLLING_FIGURES:
        value = F(field)
        if limited_by_consent(user):
            value = Case(
                When(active__consent__metrics=True, then=value),
                default=Value(None),
                output_field=Creator._meta.get_field(field),
            )
        annotations[f"shared_{field}"] = value
    # Contact details were given to the organization: staff see them, partner systems do not.
    for field in ("contact_mobile", "contact_email"):
        value = F(f"active__consent__{field}")
        if limited_by_consent(user):
            value = Case(When(active__consent__contact=True, then=value), default=Value(""))
        elif getattr(user, "role", None) == Role.PARTNER:
            value = Value("")
        annotations[field] = Coalesce(value, Value(""))
    return annotations


def visible_scopes(user, binding, consent=None) -> set[str]:
    """The scopes `user` may see of the creator of `binding` (its consent's, given or read
    here; every scope for people consent does not limit)."""
    if not limited_by_consent(user):
        return set(Scope.values)
    if consent is None and binding is not None:
        consent = getattr(binding, "consent", None)
    if consent is None or consent.state != ConsentState.CONSENTED:
        return set()
    return set(consent.scopes)
