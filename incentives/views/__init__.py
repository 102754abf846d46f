"""Incentive pages: programs and their rules (operators), reward lists from computation to payment,
statements and the special incentive list (everyone, once published)."""

from .lists import reward_list_detail
from .programs import index, program_detail, rule_version
from .statements import special, statement

__all__ = ["index", "program_detail", "reward_list_detail", "rule_version", "special", "statement"]
