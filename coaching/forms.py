"""Forms of the coaching pages: goals, sessions and their records, reassignment, moving a book,
a manager's settings and a new manager's account."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coaching.models import Channel, GoalKind, ItemOwner
from portal.accounts.models import Role, User
from portal.core.forms import DateInput, DateTimeInput, PortalFormMixin
from portal.core.models import Category

ITEM_ROWS = 3


class GoalForm(PortalFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Measure"), choices=GoalKind.choices)
    title = forms.CharField(label=gettext_lazy("Goal"), max_length=200)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=16, decimal_places=2)
    due_on = forms.DateField(label=gettext_lazy("Due"), widget=DateInput)


class SessionForm(PortalFormMixin, forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=10, max_value=480, initial=60
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=Channel.choices)
    agenda = forms.CharField(label=gettext_lazy("Agenda"), widget=forms.Textarea(attrs={"rows": 3}))
    attendees = forms.CharField(label=gettext_lazy("Attendees"), required=False, max_length=300)


class RecordForm(PortalFormMixin, forms.Form):
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 4}))
    attendees = forms.CharField(label=gettext_lazy("Attendees"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(ITEM_ROWS):
            self.fields[f"item_{n}_title"] = forms.CharField(
                label=gettext_lazy("Action item"), required=False, max_length=300
            )
            self.fields[f"item_{n}_owner"] = forms.ChoiceField(
                label=gettext_lazy("Owner"),
                choices=ItemOwner.choices,
                initial=ItemOwner.ORGANIZATION,
                required=False,
            )
            self.fields[f"item_{n}_due"] = forms.DateField(
                label=gettext_lazy("Due"),
                required=False,
                widget=DateInput,
            )

    def item_rows(self):
        return [
            (self[f"item_{n}_title"], self[f"item_{n}_owner"], self[f"item_{n}_due"])
            for n in range(ITEM_ROWS)
        ]

    def clean(self):
        cleaned = super().clean()
        for n in range(ITEM_ROWS):
            if not cleaned.get(f"item_{n}_title"):
                continue
            if not cleaned.get(f"item_{n}_due"):
                self.add_error(f"item_{n}_due", _("Give the action item a due date."))
            if not cleaned.get(f"item_{n}_owner"):
                self.add_error(f"item_{n}_owner", _("Say who does it."))
        return cleaned

    def items(self):
        return [
            (
                self.cleaned_data[f"item_{n}_title"],
                self.cleaned_data[f"item_{n}_owner"],
                self.cleaned_data[f"item_{n}_due"],
            )
            for n in range(ITEM_ROWS)
            if self.cleaned_data.get(f"item_{n}_title")
        ]


class ReassignForm(PortalFormMixin, forms.Form):
    manager = forms.ModelChoiceField(
        label=gettext_lazy("New category manager"), queryset=User.objects.none()
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = (
            User.objects.filter(
                role=Role.MANAGER,
                is_active=True,
                manager_profile__is_active=True,
                manager_profile__categories__in=organization.primary_categories.all(),
            )
            .distinct()
            .order_by("full_name")
        )


class MoveBookForm(PortalFormMixin, forms.Form):
    to_manager = forms.ModelChoiceField(
        label=gettext_lazy("Move every organization to"),
        queryset=User.objects.filter(role=Role.MANAGER, is_active=True).order_by("full_name"),
        required=False,
        empty_label=gettext_lazy("Each to the least-loaded manager of its category"),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ManagerSettingsForm(PortalFormMixin, forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Categories"),
        queryset=Category.objects.filter(is_active=True).order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-columns"}),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity (organizations)"), min_value=1, max_value=500
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Takes new organizations"),
        required=False,
        help_text=gettext_lazy("Untick when the manager leaves the program; then move their book."),
    )
    away_from = forms.DateField(
        label=gettext_lazy("Away from"),
        required=False,
        widget=DateInput,
    )
    away_until = forms.DateField(
        label=gettext_lazy("Away until"),
        required=False,
        widget=DateInput,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)


class ManagerInviteForm(PortalFormMixin, forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Categories"),
        queryset=Category.objects.filter(is_active=True).order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-columns"}),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Capacity (organizations)"), min_value=1, max_value=500, initial=30
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of their emails"), choices=settings.LANGUAGES
    )
