"""The traffic coupons section of an organization's statement (see portal/core/statements.py)."""

from portal.core.statements import register_section

from .selectors import statement_coupons

register_section("placements.coupons", template="placements/_statement_coupons.html", order=50)(
    statement_coupons
)
