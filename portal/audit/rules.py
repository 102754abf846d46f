from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import is_operator, rule

from .labels import register_details

rule("audit.view")(is_operator)

# What services commonly record next to an object's own fields (counts, spans, references).
register_details(
    {
        "day": _("Day"),
        "from": _("From"),
        "to": _("To"),
        "number": _("Number"),
        "version": _("Version"),
        "revision": _("Revision"),
        "total": _("Total (CNY)"),
        "creator": _("Creator"),
        "creators": _("Creators"),
        "organization": _("Organization"),
        "written": _("Rows written"),
        "received": _("Rows received"),
        "rejected": _("Rows rejected"),
        "unchanged": _("Unchanged"),
        "source": _("Source"),
        "job": _("Import"),
        "file": _("File"),
    }
)
