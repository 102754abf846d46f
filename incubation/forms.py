"""Forms of the incubation pages. Every write goes through incubation.services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from incentives.models import PoolKind, RewardList
from incubation.models import EntryRule, PoolSource, PoolStage
from portal.core.forms import DateInput, PortalFormMixin
from portal.core.models import Category


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class NominateForm(PortalFormMixin, forms.Form):
    """Nominate a creator: by platform account id, or the creator the page was opened for."""

    account = forms.CharField(
        label=_("Creator's platform account id"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    case = forms.CharField(
        label=_("Why this creator"),
        max_length=1000,
        widget=_textarea(4),
        help_text=_("A short case for the reviewing manager: growth, originality, potential."),
    )

    def __init__(self, *args, user, creator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.creator = user, creator
        if creator is not None:
            del self.fields["account"]

    def clean_account(self):
        account = self.cleaned_data["account"].strip()
        creator = (
            Creator.objects.for_user(self.user).filter(platform_account_id=account).first()
            if account
            else None
        )
        if creator is None:
            raise forms.ValidationError(_("No creator you may nominate has this account id."))
        self.creator = creator
        return account


class DeclineForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=1000,
        widget=_textarea(2),
        help_text=_("The nominating organization reads it."),
    )


class MoveForm(PortalFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(label=_("Why"), max_length=1000, widget=_textarea(2))

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PoolStage.choices)
        self.fields["stage"].choices = [
            (value, labels[value]) for value in PoolStage.values if value in stages
        ]


class NominationLimitForm(PortalFormMixin, forms.Form):
    per_organization = forms.IntegerField(
        label=_("Nominations per organization a month"), min_value=1, max_value=1000
    )
    effective_from = forms.DateField(
        label=_("In force from"), widget=DateInput, initial=timezone.localdate
    )


class EntryRuleForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = EntryRule
        fields = [
            "name",
            "category",
            "window_days",
            "min_followers",
            "min_valid_plays",
            "min_original_videos",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.active()
        self.fields["category"].empty_label = _("Every creative field")


def _category_field():
    return forms.ModelChoiceField(
        label=_("Creative field"),
        queryset=Category.objects.active(),
        required=False,
        empty_label=_("All creative fields"),
    )


def _stage_field():
    return forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Every stage")), *PoolStage.choices],
    )


def _search_field():
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or platform account id")}
        ),
    )


class PoolFilterForm(PortalFormMixin, forms.Form):
    stage = _stage_field()
    category = _category_field()
    source = forms.ChoiceField(
        label=_("Entered by"), required=False, choices=[("", _("Any way")), *PoolSource.choices]
    )
    q = _search_field()


class RankingFilterForm(PortalFormMixin, forms.Form):
    category = _category_field()
    stage = _stage_field()
    q = _search_field()


class PinForm(PortalFormMixin, forms.Form):
    account = forms.CharField(
        label=_("Creator's platform account id"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("A member of the reserve pool."),
    )
    reason = forms.CharField(
        label=_("Why they belong on the list"), max_length=1000, widget=_textarea(2)
    )


class ExcludeForm(PortalFormMixin, forms.Form):
    account = forms.CharField(
        label=_("Creator's platform account id"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(label=_("Why they are kept off"), max_length=1000, widget=_textarea(2))


class AwardForm(PortalFormMixin, forms.Form):
    """The program's incubation reward for every creator of the published list."""

    reward_list = forms.ModelChoiceField(
        label=_("Reward list"),
        queryset=RewardList.objects.none(),
        help_text=_("An approved list of the cycle the reward belongs to."),
    )
    pool = forms.ChoiceField(label=_("Pool"), choices=PoolKind.choices, initial=PoolKind.TRAFFIC)
    amount = forms.DecimalField(
        label=_("Amount per creator (CNY)"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(
        label=_("Explanation"),
        max_length=500,
        help_text=_("The organizations read it on their statements."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward_list"].queryset = (
            RewardList.objects.exclude(status__in=["draft", "in_review"])
            .select_related("cycle__program")
            .order_by("-cycle__starts_on")
        )
