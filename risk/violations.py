"""Risk's confirmed violations for growth's scorecard, registered with the core's registry
(`portal.core.violations`, imported in `RiskConfig.ready`): per organization, its cases decided
"forfeit" in the month, by an operator or by the rule's default when the case expired. An open
case is a suspicion, not a violation, and a released one was cleared: neither counts."""

from django.utils.translation import gettext_lazy as _

from portal.core.violations import register_violations

from .selectors import forfeited_cases_by_organization

register_violations("risk", label=_("Risk cases forfeited"))(forfeited_cases_by_organization)
