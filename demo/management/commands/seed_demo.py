from django.core.management.base import BaseCommand, CommandError

from demo.plan import SIZES
from demo.program import DEMO_LOGINS, DEMO_PASSWORD, STEPS, demo_apply, demo_plan
from demo.progress import DemoProgress
from portal.accounts.models import User
from portal.core.models import Category


class Command(BaseCommand):
    help = "Build a realistic demo program (deterministic for a given seed) through the services."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="standard",
            help="standard: 88 organizations and 3,000 creators (about two minutes); small: the "
            "same program with every state and role, 14 organizations and 150 creators.",
        )
        parser.add_argument("--creators", type=int, default=None, help="Overrides the size's.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has accounts (used by `make run`).",
        )

    def handle(self, *args, seed, size, creators, if_empty, **options):
        if User.objects.exists():
            if if_empty:
                self.stdout.write("The database already has data; demo data not loaded again.")
                return
            raise CommandError("The database already has accounts; demo data needs an empty one.")
        codes = list(Category.objects.values_list("code", flat=True))
        plan = demo_plan(seed=seed, category_codes=codes, creators=creators, size=size)
        self._say(
            f"Building the demo program ({len(plan.organizations)} organizations, "
            f"{len(plan.creators):,} creators) through the portal's services; "
            "this happens once, on the first start."
        )
        counts = demo_apply(plan, progress=DemoProgress(self._say, steps=STEPS))
        self.stdout.write(self.style.SUCCESS(f"Demo program ready (seed {seed}): {counts}"))
        write_demo_logins(self.stdout)

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()  # shown as it happens, even when the output goes to a pipe or a file


def write_demo_logins(out) -> None:
    out.write(f"Demo logins (password: {DEMO_PASSWORD}):")
    for email, role in DEMO_LOGINS:
        out.write(f"  {email:28} {role}")
    out.flush()
