"""Compile the translation catalogues (.po -> .mo) without GNU gettext, which a fresh machine may
not have. Recompiles only what changed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile .po catalogues under LOCALE_PATHS into .mo files."

    def handle(self, *args, **options):
        for root in settings.LOCALE_PATHS:
            for po_path in Path(root).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(mo_path))
                self.stdout.write(
                    f"compiled {po_path.relative_to(settings.BASE_DIR)} "
                    f"({catalogue.percent_translated()}% translated)"
                )
