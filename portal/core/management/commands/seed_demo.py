from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import User
from portal.core.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_apply, demo_plan
from portal.core.models import Category


class Command(BaseCommand):
    help = "Build a realistic demo program (deterministic for a given seed) through the services."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--creators", type=int, default=3000)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has accounts (used by `make run`).",
        )

    def handle(self, *args, seed, creators, if_empty, **options):
        if User.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo data not loaded again.")
                return
            raise CommandError("The database already has accounts; demo data needs an empty one.")
        codes = list(Category.objects.values_list("code", flat=True))
        plan = demo_plan(seed=seed, category_codes=codes, creators=creators)
        counts = demo_apply(plan, progress=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS(f"Demo program ready (seed {seed}): {counts}"))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:28} {role}")
