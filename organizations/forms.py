"""Forms parse and check the shape of input; the services decide the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import PortalFormMixin
from portal.core.models import Category

from .models import MAX_APPEAL_DAYS, AppealDecision, OrgRole, Platform
from .services.application import MAX_PRIMARY_CATEGORIES
from .validators import normalize_credit_code, validate_credit_code, validate_mainland_mobile


class OrganizationStepForm(PortalFormMixin, forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("Exactly as on the business licence, e.g. 杭州星河文化传媒有限公司."),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters, on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50)

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code


class LicenceStepForm(PortalFormMixin, forms.Form):
    licence = forms.FileField(
        label=_("Business licence"),
        help_text=_("A photo or scan (JPEG, PNG or WEBP) or a PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )


class ContactsStepForm(PortalFormMixin, forms.Form):
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact mobile number"),
        max_length=20,
        validators=[validate_mainland_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class BusinessStepForm(PortalFormMixin, forms.Form):
    main_category = forms.ModelChoiceField(
        label=_("Main category"),
        queryset=Category.objects.active(),
        help_text=_("Your category manager comes from this category."),
    )
    other_categories = forms.ModelMultipleChoiceField(
        label=_("Other categories"),
        queryset=Category.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Up to two more."),
    )
    declared_roster_size = forms.IntegerField(
        label=_("Creators you work with"),
        min_value=1,
        max_value=1_000_000,
        help_text=_("How many creators your organization has signed today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for platform in Platform:
            self.fields[f"platform_{platform.value}"] = forms.IntegerField(
                label=platform.label,
                required=False,
                min_value=0,
                max_value=10**12,
                help_text=_("Follower total of your creators there; leave empty if none."),
            )

    def platform_fields(self):
        return [self[f"platform_{platform.value}"] for platform in Platform]

    def main_fields(self):
        return [
            self[name] for name in ("main_category", "other_categories", "declared_roster_size")
        ]

    def clean(self):
        cleaned = super().clean()
        main = cleaned.get("main_category")
        others = [c for c in cleaned.get("other_categories") or [] if c != main]
        if len(others) > MAX_PRIMARY_CATEGORIES - 1:
            self.add_error(
                "other_categories",
                _("Choose at most %(max)d other categories.") % {"max": MAX_PRIMARY_CATEGORIES - 1},
            )
        cleaned["other_categories"] = others
        return cleaned

    def followers(self) -> dict[str, int | None]:
        return {p.value: self.cleaned_data.get(f"platform_{p.value}") for p in Platform}


class SubmitStepForm(PortalFormMixin, forms.Form):
    accept_terms = forms.BooleanField(
        label=_("I have read the program terms and accept them on behalf of the organization."),
    )


class DecisionForm(PortalFormMixin, forms.Form):
    transition = forms.ChoiceField(
        choices=[
            ("start_review", _("Start review")),
            ("approve", _("Approve")),
            ("request_changes", _("Request changes")),
            ("reject", _("Reject")),
            ("suspend", _("Suspend")),
            ("reinstate", _("Reinstate")),
        ]
    )
    reason = forms.CharField(
        label=_("Reason or note to the organization"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to request changes, reject, suspend or reinstate."),
    )
    checks = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, checks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checks"].choices = [(c.code, c.label) for c in checks]


class _RoleChoiceMixin:
    """Only people who may grant ownership are offered the owner role."""

    def __init__(self, *args, allow_owner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_owner:
            self.fields["role"].choices = [
                (value, label) for value, label in OrgRole.choices if value != OrgRole.OWNER
            ]


class InvitationForm(_RoleChoiceMixin, PortalFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices, initial=OrgRole.MEMBER)


class MemberRoleForm(_RoleChoiceMixin, PortalFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices)


class ProfileForm(ContactsStepForm):
    declared_roster_size = forms.IntegerField(
        label=_("Creators you work with"), min_value=1, max_value=1_000_000
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the form's list of uploads; each is cleaned by the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AppealForm(PortalFormMixin, forms.Form):
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why the suspension should be lifted. You can appeal once."),
    )
    documents = MultipleFileField(
        label=_("Documents (PDF or images, up to 5, optional)"), required=False
    )


class AppealDecisionForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=AppealDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organization reads it."),
    )


class AppealWindowForm(PortalFormMixin, forms.Form):
    days = forms.IntegerField(
        label=_("Days to appeal after a suspension"),
        min_value=1,
        max_value=MAX_APPEAL_DAYS,
        help_text=_("Applies to suspensions from now on."),
    )
