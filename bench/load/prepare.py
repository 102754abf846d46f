"""Prepare a seeded demo database for the load test (`bench/load/run.py` calls this).

Writes a JSON fixture for the locustfile: signed-in sessions for organization people, managers and
operators (made with Django's own `force_login`, so sign-in's deliberately slow password hash is
not part of the mix), a partner application with a token, the ids the traffic needs (their own
organizations, creators they may see, a cycle to settle, a published reward list), a metrics file
to import meanwhile, and the Celery queues the worker must consume.

    DATABASE_URL=... python bench/load/prepare.py --out var/load/fixture.json
"""

import argparse
import csv
import io
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from creators.models import Binding, Creator
from demo.program import DEMO_DOMAIN
from incentives.models import Cycle, ListStatus, RewardList
from organizations.models import Membership, OrganizationStatus
from partners.scopes import SCOPE_NAMES
from partners.services import application_create, token_issue
from portal.accounts.models import Role, User

SESSIONS_PER_ROLE = 24
IMPORT_DAYS = 3


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def organization_people() -> list[dict]:
    """Owners and members of approved organizations with their own creators' ids."""
    people = []
    memberships = (
        Membership.objects.filter(
            organization__status=OrganizationStatus.APPROVED, user__is_active=True
        )
        .select_related("user", "organization")
        .order_by("organization_id", "id")
    )
    for membership in memberships:
        creators = list(
            Binding.objects.filter(organization=membership.organization, ended_on__isnull=True)
            .order_by("id")
            .values_list("creator_id", flat=True)[:20]
        )
        if not creators:
            continue
        people.append(
            {
                "email": membership.user.email,
                "organization": membership.organization_id,
                "creators": creators,
            }
        )
    # The showcase organization's owner and member first, then one person per organization.
    people.sort(key=lambda p: p["email"] not in (f"owner@{DEMO_DOMAIN}", f"member@{DEMO_DOMAIN}"))
    return people[:SESSIONS_PER_ROLE]


def staff(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("id")[:SESSIONS_PER_ROLE])


def metrics_file(accounts: list[str], today) -> str:
    """A metrics import of the last days for every creator: it upserts over the demo's figures."""
    rng = random.Random(13)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["platform account id", "date", "plays", "valid plays", "GMV", "orders"])
    for offset in range(1, IMPORT_DAYS + 1):
        day = (today - timedelta(days=offset)).isoformat()
        for account in accounts:
            plays = rng.randint(0, 50_000)
            writer.writerow([account, day, plays, plays * 9 // 10, f"{rng.randint(0, 9999)}.50", 3])
    return out.getvalue()


def celery_queues() -> list[str]:
    """Every queue a task may be routed to, so the worker consumes all of them."""
    from portal.celery import app

    queues = {app.conf.task_default_queue or "celery"}
    for queue in app.conf.task_queues or ():
        queues.add(getattr(queue, "name", str(queue)))
    routes = app.conf.task_routes or {}
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict) and route.get("queue"):
            queues.add(route["queue"])
    return sorted(queues)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()

    operator = User.objects.get(email=f"operator@{DEMO_DOMAIN}")
    with transaction.atomic():
        application = application_create(
            actor=operator,
            name=f"Load test {timezone.now():%Y%m%d%H%M%S}",
            contact_name="Load test",
            contact_email="load@example.com",
            scopes=SCOPE_NAMES,
            rate_limit=1_000_000,  # the server's limits are measured here, not the token's
        )
        tokens = [token_issue(actor=operator, application=application)[1] for _ in range(4)]

    people = organization_people()
    users = {
        user.email: user for user in User.objects.filter(email__in=[p["email"] for p in people])
    }
    organization = [{**p, "session": session_cookie(users[p["email"]])} for p in people]
    managers = [
        {
            "email": manager.email,
            "session": session_cookie(manager),
            "organizations": list(
                manager.manager_assignments.filter(ended_at__isnull=True).values_list(
                    "organization_id", flat=True
                )[:10]
            ),
        }
        for manager in staff(Role.MANAGER)
    ]
    operators = [
        {"email": user.email, "session": session_cookie(user)} for user in staff(Role.OPERATOR)
    ]

    published = (
        RewardList.objects.filter(
            status__in=[ListStatus.PUBLISHED, ListStatus.EXPORTED, ListStatus.PAID]
        )
        .order_by("-id")
        .first()
    )
    today = timezone.localdate()
    current = Cycle.objects.filter(starts_on__lte=today, ends_on__gt=today).first()
    accounts = list(
        Creator.objects.filter(bindings__ended_on__isnull=True)
        .order_by("id")
        .values_list("platform_account_id", flat=True)
    )
    fixture = {
        "organization": organization,
        "managers": managers,
        "operators": operators,
        "partner_tokens": tokens,
        "published_list": published.pk if published else None,
        "program": published.cycle.program_id if published else None,
        "cycle_to_settle": current.pk if current else None,
        "accounts": accounts,
        "metrics_day": (today - timedelta(days=1)).isoformat(),
        "import_csv": metrics_file(accounts, today),
        "queues": celery_queues(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, ensure_ascii=False))
    print(
        f"fixture: {len(organization)} organization people, {len(managers)} managers, "
        f"{len(operators)} operators, {len(tokens)} partner tokens, "
        f"{len(accounts) * IMPORT_DAYS} import rows, queues {fixture['queues']}"
    )


if __name__ == "__main__":
    main()
