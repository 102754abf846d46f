"""The access matrix for every page and endpoint: anonymous, wrong role, other organization, allowed.

Roles: operator; manager of the beauty category; owner and member of an approved beauty organization;
owner of a pets organization (the "other organization"); manager of pets (a manager of another
category). Every row says what each of them gets.
"""

import pytest
from django.urls import reverse

from portal.audit.services import audit_record
from tests.partners.factories import partner_application, webhook_delivery

ROLES = ["anonymous", "operator", "manager", "owner", "member", "other_owner", "pets_manager"]
OK, LOGIN, FORBIDDEN, MISSING, UNAUTHORIZED, ELSEWHERE = 200, "login", 403, 404, 401, 302


@pytest.fixture
def world(operator, manager, pets_manager, owner, member, other_owner, organization):
    from django.db import transaction

    from tests.creators.factories import BindingFactory

    with transaction.atomic():
        entry = audit_record(
            actor=operator, action="test.touch", obj=organization, organization=organization
        )
    binding = BindingFactory(organization=organization)
    session = coaching_session(organization, manager)
    return {
        "organization": organization,
        "entry": entry,
        "creator": binding.creator,
        "session": session,
    }


def coaching_session(organization, manager):
    import datetime

    from django.utils import timezone

    from coaching.models import ActionItem, CoachingSession
    from organizations.models import ManagerAssignment

    ManagerAssignment.objects.create(organization=organization, manager=manager)
    session = CoachingSession.objects.create(
        organization=organization,
        manager=manager,
        scheduled_at=timezone.now() + datetime.timedelta(days=1),
        channel="video",
        agenda="Next tier",
    )
    ActionItem.objects.create(
        session=session,
        organization=organization,
        title="Upload originals",
        owner="organization",
        due_on=timezone.localdate(),
    )
    return session


def assert_answer(response, expected, label):
    """LOGIN: sent to sign in; otherwise the status code the matrix says."""
    if expected == LOGIN:
        assert response.status_code == 302, label
        assert response["Location"].startswith(reverse("accounts:login")), label
    else:
        assert response.status_code == expected, label


def client_for(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def everyone(anonymous):
    """Every signed-in role may open it."""
    return dict.fromkeys(ROLES, OK) | {"anonymous": anonymous}


def operators_only(anonymous):
    return dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": anonymous, "operator": OK}


def staff_only(anonymous, organization_scoped=False):
    """Operators and managers; with `organization_scoped`, a manager of another category gets 404."""
    expected = dict.fromkeys(ROLES, FORBIDDEN) | {
        "anonymous": anonymous,
        "operator": OK,
        "manager": OK,
    }
    expected["pets_manager"] = MISSING if organization_scoped else OK
    return expected


def beauty_organization_scope(anonymous):
    """The beauty organization: its people, beauty's manager and operators; others get 404."""
    return dict.fromkeys(ROLES, OK) | {
        "anonymous": anonymous,
        "other_owner": MISSING,
        "pets_manager": MISSING,
    }


PAGES = {
    # name: (url builder, expected status per role)
    "dashboard": (lambda w: reverse("core:dashboard"), everyone(LOGIN)),
    "categories": (lambda w: reverse("core:categories"), everyone(LOGIN)),
    "audit log": (lambda w: reverse("audit:list"), operators_only(LOGIN)),
    "organization detail": (
        lambda w: reverse("organizations:detail", args=[w["organization"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "password change": (lambda w: reverse("accounts:password_change"), everyone(LOGIN)),
    "notifications": (lambda w: reverse("core:notifications"), everyone(LOGIN)),
    "review queue": (lambda w: reverse("organizations:review_queue"), staff_only(LOGIN)),
    "review page": (
        lambda w: reverse("organizations:review_detail", args=[w["organization"].pk]),
        staff_only(LOGIN, organization_scoped=True),
    ),
    "members": (
        lambda w: reverse("organizations:members", args=[w["organization"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "business licence": (
        lambda w: reverse("organizations:licence", args=[w["organization"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "roster": (lambda w: reverse("creators:roster"), everyone(LOGIN)),
    "creator page": (
        lambda w: reverse("creators:detail", args=[w["creator"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "roster export": (lambda w: reverse("creators:export", args=["csv"]), everyone(LOGIN)),
    "claim a creator": (
        lambda w: reverse("creators:claim"),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "owner": OK, "other_owner": OK, "operator": FORBIDDEN},
    ),
    "imports": (
        lambda w: reverse("creators:imports"),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "owner": OK, "other_owner": OK, "operator": OK},
    ),
    "play flags": (lambda w: reverse("creators:flags"), staff_only(LOGIN)),
    "disputes": (lambda w: reverse("creators:disputes"), everyone(LOGIN)),
    # Managers open their own book; operators choose a manager on the balance page first.
    "my book": (
        lambda w: reverse("coaching:book"),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "operator": ELSEWHERE, "manager": OK, "pets_manager": OK},
    ),
    "agenda": (
        lambda w: reverse("coaching:agenda"),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "operator": ELSEWHERE, "manager": OK, "pets_manager": OK},
    ),
    "agenda calendar file": (
        lambda w: reverse("coaching:agenda_ics"),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "operator": ELSEWHERE, "manager": OK, "pets_manager": OK},
    ),
    "a manager's book for operators": (
        lambda w: reverse("coaching:book") + f"?manager={w['session'].manager_id}",
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "operator": OK, "manager": OK, "pets_manager": OK},
    ),
    "coaching plan": (
        lambda w: reverse("coaching:organization", args=[w["organization"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "coaching session": (
        lambda w: reverse("coaching:session", args=[w["session"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "managers balance": (lambda w: reverse("coaching:balance"), operators_only(LOGIN)),
    "partner applications": (lambda w: reverse("partners:list"), operators_only(LOGIN)),
    "partner application": (
        lambda w: reverse("partners:detail", args=[partner_application(w["entry"].actor).pk]),
        operators_only(LOGIN),
    ),
    "webhook delivery": (
        lambda w: (lambda d: reverse("partners:delivery", args=[d.endpoint.application_id, d.pk]))(
            webhook_delivery(w["entry"].actor)
        ),
        operators_only(LOGIN),
    ),
    # Growth: people of an organization see their scorecard, staff the overview.
    "growth": (lambda w: reverse("growth:home"), everyone(LOGIN)),
    "growth overview": (lambda w: reverse("growth:overview"), staff_only(LOGIN)),
    "growth scorecard": (
        lambda w: reverse("growth:organization", args=[w["organization"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "growth settings": (lambda w: reverse("growth:settings"), operators_only(LOGIN)),
    # People of an active organization are sent to their dashboard; staff may not apply;
    # someone of another organization (also active) is sent to theirs.
    "application wizard": (
        lambda w: reverse("organizations:apply_step", args=["contacts"]),
        dict.fromkeys(ROLES, FORBIDDEN)
        | {"anonymous": LOGIN, "owner": ELSEWHERE, "member": ELSEWHERE, "other_owner": ELSEWHERE},
    ),
}

ENDPOINTS = {
    "me": (lambda w: "/api/v1/me/", everyone(UNAUTHORIZED)),
    "categories": (lambda w: "/api/v1/categories/", everyone(UNAUTHORIZED)),
    "organizations": (lambda w: "/api/v1/organizations/", everyone(UNAUTHORIZED)),
    "organization detail": (
        lambda w: f"/api/v1/organizations/{w['organization'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "audit entries": (lambda w: "/api/v1/audit-entries/", operators_only(UNAUTHORIZED)),
    "creators": (lambda w: "/api/v1/creators/", everyone(UNAUTHORIZED)),
    "creator detail": (
        lambda w: f"/api/v1/creators/{w['creator'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "bindings": (lambda w: "/api/v1/bindings/", everyone(UNAUTHORIZED)),
    "metrics": (lambda w: "/api/v1/metrics/", everyone(UNAUTHORIZED)),
    "assignments": (lambda w: "/api/v1/assignments/", everyone(UNAUTHORIZED)),
    "coaching sessions": (lambda w: "/api/v1/coaching-sessions/", everyone(UNAUTHORIZED)),
    "coaching session detail": (
        lambda w: f"/api/v1/coaching-sessions/{w['session'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "audit entry detail": (
        lambda w: f"/api/v1/audit-entries/{w['entry'].pk}/",
        operators_only(UNAUTHORIZED),
    ),
    # Incentives: every role lists, each sees only what it may (drafts and others' lines hidden).
    "programs": (lambda w: "/api/v1/programs/", everyone(UNAUTHORIZED)),
    "cycles": (lambda w: "/api/v1/cycles/", everyone(UNAUTHORIZED)),
    "reward lists": (lambda w: "/api/v1/reward-lists/", everyone(UNAUTHORIZED)),
    "statements": (lambda w: "/api/v1/statements/", everyone(UNAUTHORIZED)),
    "ledger entries": (lambda w: "/api/v1/ledger-entries/", everyone(UNAUTHORIZED)),
    "estimates (issue 18)": (lambda w: "/api/v1/estimates/", everyone(UNAUTHORIZED)),
    # Incubation: every role lists; each sees the pool members, nominations and scores it may, and
    # the published shortlists (the open one only for staff; see INCUBATION_ENDPOINTS).
    "reserve pool": (lambda w: "/api/v1/reserve-pool/", everyone(UNAUTHORIZED)),
    "nominations": (lambda w: "/api/v1/nominations/", everyone(UNAUTHORIZED)),
    "rankings": (lambda w: "/api/v1/rankings/", everyone(UNAUTHORIZED)),
    "shortlists": (lambda w: "/api/v1/shortlist/", everyone(UNAUTHORIZED)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_access(client, request, world, page, role):
    url_for, expected = PAGES[page]
    url = url_for(world)
    response = client_for(client, request, role).get(url)
    if expected[role] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected[role] == ELSEWHERE:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[role], f"{role} on {page}"


@pytest.fixture
def rewards(world, operator, organization, beauty):
    """A program with a published list (cycle 1) and a draft list (cycle 2)."""
    import datetime

    from incentives.services import (
        program_open,
        settlement_approve,
        settlement_compute,
        settlement_publish,
        settlement_submit,
    )
    from tests.incentives.test_computation import setup_cycle

    cycle, version = setup_cycle(operator, organization, beauty)
    program_open(actor=operator, program=cycle.program)
    published = settlement_submit(
        actor=operator, reward_list=settlement_compute(actor=operator, cycle=cycle)
    )
    settlement_approve(actor=operator, reward_list=published, revision=published.revision)
    settlement_publish(actor=operator, reward_list=published)
    draft = settlement_submit(
        actor=operator,
        reward_list=settlement_compute(
            actor=operator, cycle=cycle.program.cycles.get(starts_on=datetime.date(2026, 12, 1))
        ),
    )
    return {"program": cycle.program, "version": version, "published": published, "draft": draft}


def published_to_everyone(anonymous):
    return everyone(anonymous)


def draft_to_operators(anonymous):
    """A list before publication: operators only; to anyone else it does not exist."""
    return dict.fromkeys(ROLES, MISSING) | {"anonymous": anonymous, "operator": OK}


def operators_step(anonymous, operator=OK):
    """A step behind a confirmation: operators only; a step not possible now sends the operator
    back to its page (ELSEWHERE)."""
    return operators_only(anonymous) | {"operator": operator}


REWARD_PAGES = {
    "rewards": (lambda r: reverse("incentives:index"), everyone(LOGIN)),
    "program": (
        lambda r: reverse("incentives:program", args=[r["program"].pk]),
        operators_only(LOGIN),
    ),
    "rules": (lambda r: reverse("incentives:rules", args=[r["version"].pk]), operators_only(LOGIN)),
    "reward list (operators)": (
        lambda r: reverse("incentives:list", args=[r["published"].pk]),
        operators_only(LOGIN),
    ),
    "statement": (
        lambda r: reverse("incentives:statement", args=[r["published"].pk]),
        published_to_everyone(LOGIN),
    ),
    "statement of a draft": (
        lambda r: reverse("incentives:statement", args=[r["draft"].pk]),
        draft_to_operators(LOGIN),
    ),
    "special incentive list": (
        lambda r: reverse("incentives:special", args=[r["published"].pk]),
        published_to_everyone(LOGIN),
    ),
    "special list of a draft": (
        lambda r: reverse("incentives:special", args=[r["draft"].pk]),
        draft_to_operators(LOGIN),
    ),
    "approve a list in review": (
        lambda r: reverse("incentives:list_approve", args=[r["draft"].pk]),
        operators_step(LOGIN),
    ),
    "approve a published list": (
        lambda r: reverse("incentives:list_approve", args=[r["published"].pk]),
        operators_step(LOGIN, ELSEWHERE),
    ),
    "adjust a list (the form posts here)": (
        lambda r: reverse("incentives:list_adjust", args=[r["published"].pk]),
        operators_step(LOGIN, ELSEWHERE),
    ),
    "organizations an adjustment may be for (suggestions)": (
        lambda r: reverse("incentives:list_adjust_organizations", args=[r["published"].pk]),
        operators_only(LOGIN),
    ),
    "publish a list in review": (
        lambda r: reverse("incentives:list_publish", args=[r["draft"].pk]),
        operators_step(LOGIN, ELSEWHERE),
    ),
    "publish a published version": (
        lambda r: reverse("incentives:rules_publish", args=[r["version"].pk]),
        operators_step(LOGIN, ELSEWHERE),
    ),
    "close a program": (
        lambda r: reverse("incentives:program_close", args=[r["program"].pk]),
        operators_step(LOGIN),
    ),
    "reconciliation (issue 18)": (
        lambda r: reverse("incentives:reconciliation", args=[r["published"].pk]),
        operators_only(LOGIN),
    ),
    "finance export": (
        lambda r: reverse("incentives:reconciliation_export", args=[r["published"].pk, "csv"]),
        operators_only(LOGIN),
    ),
    "held entries (issue 18)": (
        lambda r: reverse("incentives:holds", args=[r["published"].pk]),
        operators_only(LOGIN),
    ),
    "invoices to verify (issue 18)": (
        lambda r: reverse("incentives:invoices"),
        operators_only(LOGIN),
    ),
    "reconciliation of a draft": (
        lambda r: reverse("incentives:reconciliation", args=[r["draft"].pk]),
        operators_only(LOGIN),
    ),
    "reopen a running program": (
        lambda r: reverse("incentives:program_reopen", args=[r["program"].pk]),
        operators_step(LOGIN, ELSEWHERE),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(REWARD_PAGES))
def test_reward_page_access(client, request, rewards, page, role):
    url_for, expected = REWARD_PAGES[page]
    response = client_for(client, request, role).get(url_for(rewards))
    assert_answer(response, expected[role], f"{role} on {page}")


def test_an_invoice_is_seen_by_its_organization_and_staff_and_decided_by_operators(
    client, request, rewards, organization
):
    from django.core.files.base import ContentFile

    from incentives.models import Invoice
    from tests.core.test_uploads import pdf

    invoice = Invoice(
        organization=organization,
        cycle=rewards["published"].cycle,
        number="F1",
        amount=1,
        content_type="application/pdf",
        uploaded_by=request.getfixturevalue("owner"),
    )
    invoice.file.save("f.pdf", ContentFile(pdf()), save=False)
    invoice.save()
    expected = dict.fromkeys(ROLES, OK) | {
        "anonymous": LOGIN,
        "other_owner": MISSING,
        "pets_manager": MISSING,
    }
    for role in ROLES:
        response = client_for(client, request, role).get(
            reverse("incentives:invoice_file", args=[invoice.pk])
        )
        if expected[role] == LOGIN:
            assert response.status_code == 302, role
        else:
            assert response.status_code == expected[role], role
        for action in ("invoice_verify", "invoice_reject"):
            decided = client_for(client, request, role).post(
                reverse(f"incentives:{action}", args=[invoice.pk]), {"note": "x"}
            )
            if role == "operator":
                assert decided.status_code == 302
            elif role != "anonymous":
                assert decided.status_code == FORBIDDEN, (role, action)
        # Staff have no organization: they never send an invoice.
        if role in ("operator", "manager", "pets_manager"):
            sent = client_for(client, request, role).post(
                reverse("incentives:invoice_upload", args=[rewards["published"].pk]), {}
            )
            assert sent.status_code == FORBIDDEN, role


def test_a_statement_shows_each_organization_only_its_own_lines(
    client, rewards, owner, other_owner
):
    url = reverse("incentives:statement", args=[rewards["published"].pk])
    client.force_login(owner)
    assert len(client.get(url).context["page"].object_list) == 6
    client.force_login(other_owner)
    assert len(client.get(url).context["page"].object_list) == 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_endpoint_access(client, request, world, endpoint, role):
    url_for, expected = ENDPOINTS[endpoint]
    response = client_for(client, request, role).get(url_for(world))
    assert response.status_code == expected[role], f"{role} on {endpoint}"
    body = response.json()
    if response.status_code >= 400:
        assert set(body) >= {"code", "message"}, "every API error has the same body"


@pytest.mark.parametrize(
    "role,visible",
    [
        ("operator", {"杭州星河文化传媒有限公司", "上海远山网络科技有限公司"}),
        ("manager", {"杭州星河文化传媒有限公司"}),
        ("pets_manager", {"上海远山网络科技有限公司"}),
        ("owner", {"杭州星河文化传媒有限公司"}),
        ("other_owner", {"上海远山网络科技有限公司"}),
    ],
)
def test_organization_list_shows_only_what_the_role_may_see(client, request, world, role, visible):
    response = client_for(client, request, role).get("/api/v1/organizations/")
    assert {row["legal_name"] for row in response.json()["results"]} == visible


def test_manager_does_not_see_draft_applications_in_their_category(client, manager, beauty):
    from tests.organizations.factories import OrganizationFactory

    OrganizationFactory(legal_name="草稿机构", status="draft", categories=[beauty])
    client.force_login(manager)
    names = {row["legal_name"] for row in client.get("/api/v1/organizations/").json()["results"]}
    assert "草稿机构" not in names


def test_denied_action_is_logged_as_a_security_event(client, owner, caplog):
    client.force_login(owner)
    with caplog.at_level("WARNING", logger="portal.security"):
        response = client.get(reverse("audit:list"))
    assert response.status_code == 403
    assert any(
        "permission denied" in r.getMessage() and "audit.view" in r.getMessage()
        for r in caplog.records
    )


def test_sign_up_is_public_and_sends_signed_in_people_home(client, owner):
    assert client.get(reverse("accounts:sign_up")).status_code == 200
    client.force_login(owner)
    assert client.get(reverse("accounts:sign_up"))["Location"] == reverse("core:dashboard")


def test_schema_and_docs_and_health_are_public(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "role,sees",
    [
        ("operator", True),
        ("manager", True),
        ("owner", True),
        ("member", True),
        ("other_owner", False),
        ("pets_manager", False),
    ],
)
def test_coaching_lists_show_only_the_callers_own(client, request, world, role, sees):
    client = client_for(client, request, role)
    sessions = client.get("/api/v1/coaching-sessions/").json()["results"]
    assignments = client.get("/api/v1/assignments/").json()["results"]
    assert ([s["id"] for s in sessions] == [world["session"].pk]) is sees
    assert any(a["organization"] == world["organization"].pk for a in assignments) is sees
    if sees:
        assert [i["title"] for i in sessions[0]["action_items"]] == ["Upload originals"]


def test_a_manager_of_the_category_who_does_not_coach_the_organization_is_refused(
    client, world, beauty
):
    from tests.accounts.factories import ManagerFactory

    client.force_login(ManagerFactory(categories=[beauty]))
    plan = reverse("coaching:organization", args=[world["organization"].pk])
    assert client.get(plan).status_code == 403
    assert client.get(reverse("coaching:session", args=[world["session"].pk])).status_code == 404
    assert client.get("/api/v1/coaching-sessions/").json()["results"] == []


@pytest.fixture
def incubation(world, operator, owner, manager, beauty):
    """The world's creator nominated by its organization, accepted and scored; this year's open
    shortlist and last year's published one, both with the creator."""
    import datetime

    from django.utils import timezone

    from incubation.models import PoolMember, ScoreSnapshot, ScoreWeights
    from incubation.services import (
        nomination_create,
        nomination_decide,
        shortlist_add,
        shortlist_for,
    )
    from tests.incubation.test_api import publish

    creator = world["creator"]
    nomination = nomination_create(actor=owner, creator=creator, case="Fast growth")
    nomination_decide(actor=manager, nomination=nomination, accept=True)
    day = timezone.localdate() - datetime.timedelta(days=1)
    weights = ScoreWeights.objects.create(
        number=1, effective_from=day, status="published", created_by=operator
    )
    score = ScoreSnapshot.objects.create(
        day=day, creator=creator, category=beauty, weights=weights, score=50, rank=1
    )
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year):
        shortlist_add(
            actor=manager,
            shortlist=shortlist_for(year),
            creator=creator,
            reason="Top plays",
            expected_version=1,
        )
    publish(operator, shortlist_for(this_year - 1))
    return {
        "member": PoolMember.objects.get(creator=creator),
        "nomination": nomination,
        "score": score,
        "published": this_year - 1,
        "open": this_year,
    }


def staff_see_it(anonymous):
    """Operators and managers of any category; to organizations it does not exist."""
    return dict.fromkeys(ROLES, MISSING) | {
        "anonymous": anonymous,
        "operator": OK,
        "manager": OK,
        "pets_manager": OK,
    }


INCUBATION_ENDPOINTS = {
    "pool member": (
        lambda i: f"/api/v1/reserve-pool/{i['member'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "nomination": (
        lambda i: f"/api/v1/nominations/{i['nomination'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "ranking row": (
        lambda i: f"/api/v1/rankings/{i['score'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "published shortlist": (
        lambda i: f"/api/v1/shortlist/{i['published']}/",
        everyone(UNAUTHORIZED),
    ),
    "open shortlist": (lambda i: f"/api/v1/shortlist/{i['open']}/", staff_see_it(UNAUTHORIZED)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(INCUBATION_ENDPOINTS))
def test_incubation_endpoint_access(client, request, incubation, endpoint, role):
    url_for, expected = INCUBATION_ENDPOINTS[endpoint]
    response = client_for(client, request, role).get(url_for(incubation))
    assert response.status_code == expected[role], f"{role} on {endpoint}"
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message"}, "every API error has the same body"


# --- incubation pages -------------------------------------------------------------------------


@pytest.fixture
def incubation_pages(world, operator, owner):
    """The world's creator nominated, accepted and scored; a published shortlist (2025) and one
    still being prepared (2024)."""
    import datetime
    from decimal import Decimal

    from incubation.models import ScoreSnapshot, ScoreWeights, Shortlist
    from incubation.services import (
        nomination_create,
        nomination_decide,
        shortlist_add,
        shortlist_for,
        shortlist_freeze,
        shortlist_publish,
        shortlist_snapshot_weekly,
    )

    creator = world["creator"]
    nomination = nomination_create(actor=owner, creator=creator, case="Rising fast")
    nomination_decide(actor=operator, nomination=nomination, accept=True)
    weights = ScoreWeights.objects.create(
        number=1, effective_from=datetime.date(2020, 1, 1), status="published", created_by=operator
    )
    ScoreSnapshot.objects.create(
        day=datetime.date(2025, 12, 1),
        creator=creator,
        category=creator.primary_category,
        weights=weights,
        **dict.fromkeys(
            ["play_growth", "follower_growth", "valid_plays_norm", "original_share"], 0.0
        ),
        engagement=0.0,
        gmv=0.0,
        score=Decimal(0),
        rank=1,
        category_rank=1,
    )
    published = shortlist_for(2025)
    shortlist_add(
        actor=operator, shortlist=published, creator=creator, reason="Flagship", expected_version=1
    )
    snapshot = shortlist_snapshot_weekly(day=datetime.date(2025, 12, 1))
    shortlist_freeze(actor=operator, shortlist=published, expected_version=2)
    shortlist_publish(actor=operator, shortlist=Shortlist.objects.get(pk=published.pk))
    Shortlist.objects.create(year=2024)
    return {**world, "snapshot": snapshot}


def organizations_and_staff(anonymous):
    """Operators, managers and organization people (members included)."""
    return everyone(anonymous)


def nominators(anonymous):
    """Whoever may nominate: operators, managers, and an organization's owners and admins (a
    nomination spends the organization's monthly limit; members read)."""
    return everyone(anonymous) | {"member": FORBIDDEN}


INCUBATION_PAGES = {
    "reserve pool": (lambda w: reverse("incubation:pool"), everyone(LOGIN)),
    "ranking": (lambda w: reverse("incubation:ranking"), everyone(LOGIN)),
    "nominate": (lambda w: reverse("incubation:nominate"), nominators(LOGIN)),
    # Opened for one creator: only those who may see and nominate that creator.
    "nominate a creator": (
        lambda w: reverse("incubation:nominate") + f"?creator={w['creator'].pk}",
        beauty_organization_scope(LOGIN) | {"member": FORBIDDEN},
    ),
    "nominations": (lambda w: reverse("incubation:nominations"), organizations_and_staff(LOGIN)),
    "nomination review": (lambda w: reverse("incubation:review"), staff_only(LOGIN)),
    "pool member": (
        lambda w: reverse("incubation:member", args=[w["creator"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "incubation settings": (lambda w: reverse("incubation:settings"), operators_only(LOGIN)),
    "shortlist": (lambda w: reverse("incubation:shortlist"), staff_only(LOGIN)),
    "shortlist snapshot": (
        lambda w: reverse("incubation:snapshot", args=[w["snapshot"].pk]),
        staff_only(LOGIN),
    ),
    "published top 100": (lambda w: reverse("incubation:published", args=[2025]), everyone(LOGIN)),
    "top 100 before publication": (
        lambda w: reverse("incubation:published", args=[2024]),
        dict.fromkeys(ROLES, MISSING) | {"anonymous": LOGIN},
    ),
    "top 100 of a year without a list": (
        lambda w: reverse("incubation:published", args=[2023]),
        dict.fromkeys(ROLES, MISSING) | {"anonymous": LOGIN},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(INCUBATION_PAGES))
def test_incubation_page_access(client, request, incubation_pages, page, role):
    url_for, expected = INCUBATION_PAGES[page]
    response = client_for(client, request, role).get(url_for(incubation_pages))
    assert_answer(response, expected[role], f"{role} on {page}")


# --- content ------------------------------------------------------------------------------------


@pytest.fixture
def content(world, organization, other_organization, manager, owner):
    """A suspected video of the world's creator (beauty organization), decided a copy by the beauty
    manager and appealed by the owner; a grading item; an import job."""
    import datetime

    from content.models import GradingItem, OriginalityReview, ReasonCode, Rubric
    from content.services import originality_appeal, originality_decide
    from tests.content.factories import HASH_A, check, make_video
    from tests.creators.factories import BindingFactory

    world["creator"].bindings.update(started_on=datetime.date(2026, 1, 1))
    theirs = BindingFactory(organization=other_organization, started_on=datetime.date(2026, 1, 1))
    original = make_video(theirs.creator, frames=HASH_A, days_ago=5)
    video = make_video(world["creator"], frames=HASH_A, days_ago=1)
    check()
    review = OriginalityReview.objects.get(video=video)
    decision = originality_decide(
        actor=manager, review=review, outcome="copy", reason=ReasonCode.objects.get(code="reupload")
    )
    appeal = originality_appeal(actor=owner, decision=decision, statement="原创")
    item = GradingItem.objects.create(video=video, reason="nominated")
    return {
        **world,
        "video": video,
        "original": original,
        "review": review,
        "appeal": appeal,
        "item": item,
        "rubric": Rubric.objects.get(),
    }


def reviewers(anonymous):
    """Operators and the managers of the video's field; others are refused or never see it."""
    return dict.fromkeys(ROLES, FORBIDDEN) | {
        "anonymous": anonymous,
        "operator": OK,
        "manager": OK,
        "pets_manager": MISSING,
    }


CONTENT_PAGES = {
    "videos": (lambda c: reverse("content:list"), everyone(LOGIN)),
    "a creator's videos": (
        lambda c: reverse("content:creator", args=[c["creator"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "video": (
        lambda c: reverse("content:video", args=[c["video"].pk]),
        beauty_organization_scope(LOGIN),
    ),
    "originality queue": (
        lambda c: reverse("content:reviews"),
        staff_only(LOGIN),
    ),
    "originality review": (
        lambda c: reverse("content:review", args=[c["review"].pk]),
        reviewers(LOGIN),
    ),
    "appeal": (lambda c: reverse("content:appeal_detail", args=[c["appeal"].pk]), reviewers(LOGIN)),
    "grading queue": (lambda c: reverse("content:grading"), staff_only(LOGIN)),
    "grading a video": (lambda c: reverse("content:grade", args=[c["item"].pk]), reviewers(LOGIN)),
    "content settings": (lambda c: reverse("content:settings"), operators_only(LOGIN)),
    "rubric version": (
        lambda c: reverse("content:rubric", args=[c["rubric"].pk]),
        operators_only(LOGIN),
    ),
    "video imports": (lambda c: reverse("content:imports"), operators_only(LOGIN)),
    "video import template": (
        lambda c: reverse("content:import_template", args=["videos"]),
        operators_only(LOGIN),
    ),
}

CONTENT_ENDPOINTS = {
    "videos": (lambda c: "/api/v1/videos/", everyone(UNAUTHORIZED)),
    "video detail": (
        lambda c: f"/api/v1/videos/{c['video'].pk}/",
        beauty_organization_scope(UNAUTHORIZED),
    ),
    "video figures": (lambda c: "/api/v1/video-metrics/", everyone(UNAUTHORIZED)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(CONTENT_PAGES))
def test_content_page_access(client, request, content, page, role):
    url_for, expected = CONTENT_PAGES[page]
    response = client_for(client, request, role).get(url_for(content))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(CONTENT_ENDPOINTS))
def test_content_endpoint_access(client, request, content, endpoint, role):
    url_for, expected = CONTENT_ENDPOINTS[endpoint]
    response = client_for(client, request, role).get(url_for(content))
    assert response.status_code == expected[role], f"{role} on {endpoint}"
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message"}


def test_content_lists_show_each_organization_only_its_videos(client, content, owner, other_owner):
    client.force_login(owner)
    assert [v["video_id"] for v in client.get("/api/v1/videos/").json()["results"]] == [
        content["video"].video_id
    ]
    client.force_login(other_owner)
    assert [v["video_id"] for v in client.get("/api/v1/videos/").json()["results"]] == [
        content["original"].video_id
    ]


# --- placements -----------------------------------------------------------------------------------


@pytest.fixture
def placements_world(world, operator, manager, owner):
    """The world's creator's outfit video, graded S and nominated by the owner to the browsing
    channel's outfit tab (beauty inventory), pending; an operator's program and rule."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from content.models import Video
    from incentives.services.programs import program_create
    from placements.models import Surface
    from placements.services import inventory_set, placement_nominate, placement_rule_add
    from tests.content.factories import make_video

    today = timezone.localdate()
    program = program_create(
        actor=operator,
        name="Traffic",
        starts_on=today.replace(day=1),
        ends_on=today.replace(day=1) + datetime.timedelta(days=400),
        cash_budget=Decimal(1000),
        traffic_budget=Decimal(1000),
    )
    placement_rule_add(
        actor=operator,
        program=program,
        effective_from=today.replace(day=1),
        rate_per_thousand=Decimal(1),
        monthly_quota=5,
        grade_grants={},
        boosts={},
    )
    surface = Surface.objects.get(code="browse_outfit")
    inventory_set(
        actor=operator,
        surface=surface,
        category=world["organization"].primary_categories.first(),
        effective_from=today,
        slots_per_day=3,
        impressions_per_slot=1000,
    )
    world["creator"].bindings.update(started_on=datetime.date(2026, 1, 1))
    video = make_video(world["creator"], content_type="outfit")
    Video.objects.filter(pk=video.pk).update(grade="S")
    video.refresh_from_db()
    nomination = placement_nominate(actor=owner, video=video, surface=surface)
    return {**world, "nomination": nomination, "cycle": program.cycles.first()}


def organization_people(anonymous):
    """Staff and every organization member: each sees what is theirs."""
    return everyone(anonymous)


PLACEMENT_PAGES = {
    "placements": (lambda p: reverse("placements:overview"), everyone(LOGIN)),
    "placement queue": (lambda p: reverse("placements:queue"), staff_only(LOGIN)),
    "surfaces and inventory": (lambda p: reverse("placements:setup"), operators_only(LOGIN)),
    "new surface": (lambda p: reverse("placements:surface_new"), operators_only(LOGIN)),
    "surface": (
        lambda p: reverse("placements:surface", args=[p["nomination"].surface_id]),
        operators_only(LOGIN),
    ),
    "placement rules": (lambda p: reverse("placements:rules"), operators_only(LOGIN)),
}

# POSTs: (url builder, body, expected per role). 302 is a redirect after the service ran or refused.
PLACEMENT_ACTIONS = {
    "accept": (
        lambda p: reverse("placements:accept", args=[p["nomination"].pk]),
        {},
        dict.fromkeys(ROLES, FORBIDDEN)
        | {
            "anonymous": LOGIN,
            "operator": ELSEWHERE,
            "manager": ELSEWHERE,
            "pets_manager": MISSING,
        },
    ),
    "decline": (
        lambda p: reverse("placements:decline", args=[p["nomination"].pk]),
        {"reason": "fit"},
        dict.fromkeys(ROLES, FORBIDDEN)
        | {
            "anonymous": LOGIN,
            "operator": ELSEWHERE,
            "manager": ELSEWHERE,
            "pets_manager": MISSING,
        },
    ),
    # An empty weekly-fill form: staff get the queue again with the form's errors (400).
    "propose the week": (
        lambda p: reverse("placements:fill_propose"),
        {},
        staff_only(LOGIN) | {"operator": 400, "manager": 400, "pets_manager": 400},
    ),
    "confirm the week": (
        lambda p: reverse("placements:fill_confirm"),
        {},
        staff_only(LOGIN) | {"operator": 400, "manager": 400, "pets_manager": 400},
    ),
    # Empty editor forms: operators get the page again with the fields' errors (400).
    "inventory": (
        lambda p: reverse("placements:inventory_add"),
        {},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "add a surface": (
        lambda p: reverse("placements:surface_add"),
        {},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "save a surface": (
        lambda p: reverse("placements:surface_save", args=[p["nomination"].surface_id]),
        {},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "add a placement rule version": (
        lambda p: reverse("placements:rule_add"),
        {},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "grade grants": (
        lambda p: reverse("placements:grant_grades"),
        {},
        operators_only(LOGIN) | {"operator": ELSEWHERE},
    ),
    "close a cycle": (
        lambda p: reverse("placements:close_cycle", args=[p["cycle"].pk]),
        {},
        operators_only(LOGIN) | {"operator": ELSEWHERE},
    ),
}

PLACEMENT_ENDPOINTS = {
    "placement feed": (lambda p: "/api/v1/placements/", staff_only(UNAUTHORIZED)),
    "coupons": (lambda p: "/api/v1/coupons/", staff_only(UNAUTHORIZED)),
    "boost factors": (lambda p: "/api/v1/placements/boosts/", staff_only(UNAUTHORIZED)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PLACEMENT_PAGES))
def test_placement_page_access(client, request, placements_world, page, role):
    url_for, expected = PLACEMENT_PAGES[page]
    response = client_for(client, request, role).get(url_for(placements_world))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(PLACEMENT_ACTIONS))
def test_placement_action_access(client, request, placements_world, action, role):
    url_for, body, expected = PLACEMENT_ACTIONS[action]
    response = client_for(client, request, role).post(url_for(placements_world), body)
    assert_answer(response, expected[role], f"{role} on {action}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(PLACEMENT_ENDPOINTS))
def test_placement_endpoint_access(client, request, placements_world, endpoint, role):
    url_for, expected = PLACEMENT_ENDPOINTS[endpoint]
    response = client_for(client, request, role).get(url_for(placements_world))
    assert response.status_code == expected[role], f"{role} on {endpoint}"


def test_organizations_see_only_their_nominations_on_the_placements_page(
    client, placements_world, owner, other_owner
):
    title = placements_world["nomination"].video.title
    client.force_login(owner)
    assert title in client.get(reverse("placements:overview")).content.decode()
    client.force_login(other_owner)
    assert title not in client.get(reverse("placements:overview")).content.decode()


@pytest.fixture
def risk_world(world, operator, owner, organization, other_organization):
    """Two creators, of the beauty and the pets organization, behind one identity: a case each."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from risk.models import RiskCase
    from risk.services.cases import case_statement_send
    from risk.services.compute import risk_signals_compute
    from risk.services.partner_data import identity_hashes_record
    from tests.creators.factories import BindingFactory
    from tests.organizations.factories import licence_png

    twin = BindingFactory(organization=other_organization).creator
    same = "ab" * 32
    identity_hashes_record(
        actor=operator,
        rows=[
            {"creator_id": world["creator"].pk, "identity": same},
            {"creator_id": twin.pk, "identity": same},
        ],
    )
    risk_signals_compute(actor=operator)
    case = RiskCase.objects.get(organization=organization)
    statement = case_statement_send(
        actor=owner,
        case=case,
        text="Sisters",
        document=SimpleUploadedFile("id.png", licence_png(), content_type="image/png"),
    )
    return {**world, "case": case, "statement": statement}


def organization_members_only(anonymous, other=OK):
    return dict.fromkeys(ROLES, FORBIDDEN) | {
        "anonymous": anonymous,
        "owner": OK,
        "member": OK,
        "other_owner": other,
    }


RISK_PAGES = {
    "risk center": (lambda w: reverse("risk:center"), operators_only(LOGIN)),
    "risk rules": (lambda w: reverse("risk:rules"), operators_only(LOGIN)),
    "risk case": (lambda w: reverse("risk:case", args=[w["case"].pk]), operators_only(LOGIN)),
    "risk statement document": (
        lambda w: reverse("risk:document", args=[w["statement"].pk]),
        operators_only(LOGIN),
    ),
    "risk reviews (organization)": (
        lambda w: reverse("risk:my_cases"),
        organization_members_only(LOGIN),
    ),
    "risk review (organization)": (
        lambda w: reverse("risk:my_case", args=[w["case"].pk]),
        organization_members_only(LOGIN, other=MISSING),
    ),
    "risk review document (organization)": (
        lambda w: reverse("risk:my_document", args=[w["statement"].pk]),
        organization_members_only(LOGIN, other=MISSING),
    ),
}

RISK_ACTIONS = {
    # name: (url builder, body, expected per role); refused bodies keep the state unchanged.
    "risk decide": (
        lambda w: reverse("risk:decide", args=[w["case"].pk]),
        {"decision": "release", "note": ""},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "risk run": (lambda w: reverse("risk:run"), {}, operators_only(LOGIN) | {"operator": 302}),
    "risk statement": (
        lambda w: reverse("risk:statement", args=[w["case"].pk]),
        {"text": ""},
        organization_members_only(LOGIN, other=MISSING) | {"owner": 400, "member": 400},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(RISK_PAGES))
def test_risk_page_access(client, request, risk_world, page, role):
    url_for, expected = RISK_PAGES[page]
    response = client_for(client, request, role).get(url_for(risk_world))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(RISK_ACTIONS))
def test_risk_action_access(client, request, risk_world, action, role):
    url_for, body, expected = RISK_ACTIONS[action]
    response = client_for(client, request, role).post(url_for(risk_world), body)
    assert_answer(response, expected[role], f"{role} on {action}")


def test_an_organizations_risk_review_never_names_the_other_party(client, risk_world, owner):
    client.force_login(owner)
    page = client.get(reverse("risk:my_case", args=[risk_world["case"].pk])).content.decode()
    assert "上海远山网络科技有限公司" not in page  # the twin's organization
    assert "not shown" in page


# --- suspension and its one appeal (issue 18) ------------------------------------------------------


@pytest.fixture
def appeal_world(world, operator, owner, organization):
    """The beauty organization suspended; its owner appealed with a document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organizations.services import appeal_submit, organization_suspend
    from tests.organizations.factories import licence_png

    organization_suspend(actor=operator, organization=organization, reason="Fake recruits")
    appeal = appeal_submit(
        actor=owner,
        organization=organization,
        statement="They are real",
        documents=[SimpleUploadedFile("proof.png", licence_png(), content_type="image/png")],
    )
    return {**world, "appeal": appeal, "document": appeal.documents.get()}


APPEAL_PAGES = {
    "suspension and appeal (organization)": (
        lambda w: reverse("organizations:suspension"),
        organization_members_only(LOGIN),
    ),
    "appeal document (organization)": (
        lambda w: reverse("organizations:my_appeal_document", args=[w["document"].pk]),
        organization_members_only(LOGIN, other=MISSING),
    ),
    "suspension appeals": (lambda w: reverse("organizations:appeals"), operators_only(LOGIN)),
    "suspension appeal": (
        lambda w: reverse("organizations:appeal", args=[w["appeal"].pk]),
        operators_only(LOGIN),
    ),
    "suspension appeal document": (
        lambda w: reverse("organizations:appeal_document", args=[w["document"].pk]),
        operators_only(LOGIN),
    ),
}

APPEAL_ACTIONS = {
    # Refused bodies: nothing changes. A member may read the suspension but not appeal; the other
    # organization's owner may appeal only its own (not suspended) organization.
    "appeal send": (
        lambda w: reverse("organizations:appeal_send"),
        {"statement": ""},
        organization_members_only(LOGIN) | {"owner": 400, "member": FORBIDDEN, "other_owner": 400},
    ),
    "appeal decide": (
        lambda w: reverse("organizations:appeal_decide", args=[w["appeal"].pk]),
        {"decision": "keep", "note": ""},
        operators_only(LOGIN) | {"operator": 400},
    ),
    "appeal window": (
        lambda w: reverse("organizations:appeal_window"),
        {"days": "0"},
        operators_only(LOGIN) | {"operator": 400},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(APPEAL_PAGES))
def test_appeal_page_access(client, request, appeal_world, page, role):
    url_for, expected = APPEAL_PAGES[page]
    response = client_for(client, request, role).get(url_for(appeal_world))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(APPEAL_ACTIONS))
def test_appeal_action_access(client, request, appeal_world, action, role):
    from organizations.models import AppealWindow, SuspensionAppeal

    url_for, body, expected = APPEAL_ACTIONS[action]
    response = client_for(client, request, role).post(url_for(appeal_world), body)
    assert_answer(response, expected[role], f"{role} on {action}")
    assert SuspensionAppeal.objects.get().decision == ""
    assert SuspensionAppeal.objects.count() == 1 and not AppealWindow.objects.exists()


def test_the_other_organization_never_sees_an_appeal(client, appeal_world, other_owner):
    client.force_login(other_owner)
    page = client.get(reverse("organizations:suspension")).content.decode()
    assert "They are real" not in page and "Fake recruits" not in page


# --- creators' self-service links (issue 19) ------------------------------------------------------


@pytest.fixture
def selfservice_world(world, owner):
    from growth.services.selfservice import selfservice_link_send

    link = selfservice_link_send(actor=owner, creator=world["creator"])
    return world | {"link": link}


def _public_page(s, token=None):
    from growth.services.selfservice import link_path

    path = link_path(s["link"])
    return path if token is None else reverse("growth:creator_page", args=[s["link"].pk, token])


SELF_SERVICE_PAGES = {
    "self-service links": (
        lambda s: reverse("growth:links"),
        dict.fromkeys(ROLES, OK)
        | {"anonymous": LOGIN, "manager": FORBIDDEN, "pets_manager": FORBIDDEN},
    ),
    # No account needed: the signed link is the key, whoever holds it.
    "creator's own page": (_public_page, dict.fromkeys(ROLES, OK)),
    "creator's page, wrong token": (
        lambda s: _public_page(s, "0" * 40),
        dict.fromkeys(ROLES, MISSING),
    ),
}

SELF_SERVICE_ACTIONS = {
    "send a link": (
        lambda s: reverse("growth:link_send"),
        lambda s: {"platform_account_id": s["creator"].platform_account_id, "days": 30},
        dict.fromkeys(ROLES, FORBIDDEN)
        | {
            "anonymous": LOGIN,
            "operator": ELSEWHERE,
            "owner": ELSEWHERE,
            "other_owner": 400,  # not on their roster: the form says so
        },
    ),
    "revoke a link": (
        lambda s: reverse("growth:link_revoke", args=[s["link"].pk]),
        lambda s: {},
        dict.fromkeys(ROLES, FORBIDDEN)
        | {
            "anonymous": LOGIN,
            "operator": ELSEWHERE,
            "owner": ELSEWHERE,
            "other_owner": MISSING,
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(SELF_SERVICE_PAGES))
def test_selfservice_page_access(client, request, selfservice_world, page, role):
    url_for, expected = SELF_SERVICE_PAGES[page]
    response = client_for(client, request, role).get(url_for(selfservice_world))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(SELF_SERVICE_ACTIONS))
def test_selfservice_action_access(client, request, selfservice_world, action, role):
    url_for, body, expected = SELF_SERVICE_ACTIONS[action]
    response = client_for(client, request, role).post(
        url_for(selfservice_world), body(selfservice_world)
    )
    if expected[role] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected[role] == ELSEWHERE:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[role], f"{role} on {action}"


# --- creators' consent to their binding (issue 19) ------------------------------------------------


@pytest.fixture
def consent_world(world, owner, organization):
    """A creator the owner bound just now, whose consent is still pending."""
    import datetime

    from django.utils import timezone

    from creators.models import BindingConsent
    from creators.services import binding_start
    from growth.services.selfservice import selfservice_link_send
    from tests.creators.factories import CreatorFactory

    binding = binding_start(
        actor=owner,
        creator=CreatorFactory(platform_account_id="asked-0001"),
        organization=organization,
        started_on=timezone.localdate(),
    )
    # The owner's link was made a while ago: a new one may be sent.
    BindingConsent.objects.filter(binding=binding).update(
        sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    binding.consent.refresh_from_db()
    link = selfservice_link_send(actor=owner, creator=world["creator"])
    return world | {"consent": binding.consent, "link": link}


def _consent_url(c, name="creators:consent", token=None):
    from creators.services import consent_path

    if token is None:
        token = consent_path(c["consent"]).rstrip("/").rsplit("/", 1)[1]
    return reverse(name, args=[c["consent"].pk, token])


def _withdraw_url(c):
    from growth.services.selfservice import link_path

    token = link_path(c["link"]).rstrip("/").rsplit("/", 1)[1]
    return reverse("growth:consent_withdraw_scope", args=[c["link"].pk, token, "metrics"])


CONSENT_PAGES = {
    "waiting for consent": (lambda c: reverse("creators:consents"), everyone(LOGIN)),
    # No account needed: the signed link is the key, whoever holds it.
    "creator's consent page": (_consent_url, dict.fromkeys(ROLES, OK)),
    "consent page, wrong token": (
        lambda c: _consent_url(c, token="0" * 40),
        dict.fromkeys(ROLES, MISSING),
    ),
}

CONSENT_ACTIONS = {
    "send a new consent link": (
        lambda c: reverse("creators:consent_send", args=[c["consent"].pk]),
        lambda c: {},
        beauty_organization_scope(LOGIN)
        | {
            "operator": ELSEWHERE,
            "owner": ELSEWHERE,
            "manager": FORBIDDEN,  # sees the list, may not ask
            "member": FORBIDDEN,
        },
    ),
    "consent with scopes": (
        lambda c: _consent_url(c, "creators:consent_give"),
        lambda c: {"scopes": ["metrics"]},
        dict.fromkeys(ROLES, OK),
    ),
    "consent with a wrong token": (
        lambda c: _consent_url(c, "creators:consent_give", token="0" * 40),
        lambda c: {"scopes": ["metrics"]},
        dict.fromkeys(ROLES, MISSING),
    ),
    "decline": (
        lambda c: _consent_url(c, "creators:consent_decline"),
        lambda c: {},
        dict.fromkeys(ROLES, OK),
    ),
    "withdraw a scope (self-service link)": (
        _withdraw_url,
        lambda c: {},
        dict.fromkeys(ROLES, ELSEWHERE),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(CONSENT_PAGES))
def test_consent_page_access(client, request, consent_world, page, role):
    url_for, expected = CONSENT_PAGES[page]
    response = client_for(client, request, role).get(url_for(consent_world))
    assert_answer(response, expected[role], f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(CONSENT_ACTIONS))
def test_consent_action_access(client, request, consent_world, action, role):
    url_for, body, expected = CONSENT_ACTIONS[action]
    response = client_for(client, request, role).post(url_for(consent_world), body(consent_world))
    if expected[role] == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected[role] == ELSEWHERE:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected[role], f"{role} on {action}"


# Every page and endpoint showing a creator's data, read by the holding organization's owner while
# the creator has not consented: the creator is there by name, their figures and lines are not.
# (name: (url builder, text that must not appear, text that must appear or None))
UNSHARED = {
    "roster": (lambda r: reverse("creators:roster"), "987,654", "Waiting for consent"),
    "creator page": (
        lambda r: reverse("creators:detail", args=[r["creator"].pk]),
        "987,654",
        "Not shared by the creator",
    ),
    "roster export": (lambda r: reverse("creators:export", args=["csv"]), "987654", None),
    "creators API": (lambda r: "/api/v1/creators/", "987654", '"consent":"pending"'),
    "creator API": (
        lambda r: f"/api/v1/creators/{r['creator'].pk}/",
        "987654",
        '"plays_30d":null',
    ),
    "metrics API": (lambda r: "/api/v1/metrics/", '"plays":', None),
    "statement": (
        lambda r: reverse("incentives:statement", args=[r["published"].pk]),
        "creator-with-lines",
        None,
    ),
    "statements API": (lambda r: "/api/v1/statements/", "creator-with-lines", None),
    "ledger entries API": (lambda r: "/api/v1/ledger-entries/", '"creator":{creator}', None),
}


@pytest.mark.parametrize("page", list(UNSHARED))
def test_an_organization_sees_nothing_a_creator_has_not_shared(
    client, rewards, world, owner, operator, page
):
    from creators.models import BindingConsent, Creator

    creator = rewards["published"].lines.exclude(creator=None).first().creator
    Creator.objects.filter(pk=creator.pk).update(
        plays_30d=987654, platform_account_id="creator-with-lines"
    )
    url_for, hidden, shown = UNSHARED[page]
    r = {**rewards, "creator": creator}
    hidden = hidden.format(creator=creator.pk)
    client.force_login(owner)

    def read():
        response = client.get(url_for(r))
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return content.decode("utf-8-sig")

    # With every scope shared (the factories' default) the organization sees it ...
    assert hidden in read().replace(" ", ""), page
    # ... and not once the creator's consent is pending.
    BindingConsent.objects.filter(binding__creator=creator).update(
        state="pending", earnings=False, metrics=False, contact=False
    )
    body = read()
    assert hidden not in body.replace(" ", ""), page
    if shown:
        assert shown in body.replace(" ", "") if shown.startswith('"') else shown in body
    # Staff are not limited by consent.
    client.force_login(operator)
    staff = client.get(url_for(r))
    assert staff.status_code == 200
