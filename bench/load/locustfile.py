"""The portal's traffic mix for Locust (run by `bench/load/run.py`, which prepares the fixture).

Four kinds of people and one background flow:

- organization owners and members (the most numerous): their dashboard, roster (page and the HTMX
  search fragment), a creator, their organization, coaching plan, statement, the reserve pool,
  notifications, and the creators, metrics and statements API lists;
- category managers: dashboard, review queue (page and fragment), their book and agenda, one of
  their organizations, the ranking fragment, the organizations API;
- program operators: dashboard, rewards, the reward list and its lines fragment, the audit log
  (page and fragment), the staff roster, partners, the audit and reward-line APIs;
- partner systems (Bearer tokens): organization, creator, metric, reward list and shortlist lists,
  and metric POSTs of 100 rows with an Idempotency-Key;
- one operator importing a metrics file (upload, the dry run polled through its progress fragment,
  confirm, the commit polled) and settling the current cycle (compute, polled), over and over. Their
  end-to-end times are written to LOAD_JOBS (JSON), apart from the request statistics.

The server runs as in production (DEBUG off, behind a TLS proxy): requests say
`X-Forwarded-Proto: https`, and the session and CSRF cookies are sent by hand because a client
never sends Secure cookies over plain http.
"""

import http.cookiejar
import itertools
import json
import os
import random
import re
import secrets
import time
import uuid

from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
_turns = {kind: itertools.count() for kind in ("organization", "managers", "operators", "tokens")}


def _next(kind: str, items: list):
    return items[next(_turns[kind]) % len(items)]


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie, request):
        return False


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # a person reads a page before the next click

    def signed_in(self, session_key: str) -> None:
        self.client.cookies.set_policy(_NoCookies())
        csrf = secrets.token_hex(16)  # Django accepts any 32-character secret it did not issue
        self.csrf = csrf
        self.client.headers.update(
            {
                "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "X-Forwarded-Proto": "https",
                "Referer": f"https://{self.host.split('://', 1)[1]}/",
                "Accept-Language": random.choice(["zh-hans", "en"]),
            }
        )

    def page(self, url: str, name: str):
        return self.client.get(url, name=f"page: {name}")

    def fragment(self, url: str, name: str):
        with self.client.get(
            url, name=f"htmx: {name}", headers={"HX-Request": "true"}, catch_response=True
        ) as response:
            if response.status_code == 200 and b"<html" in response.content[:500]:
                response.failure("a whole page where a fragment was asked for")
        return response

    def api(self, url: str, name: str):
        return self.client.get(url, name=f"api: {name}")


class OrganizationPerson(PortalUser):
    weight = 6

    def on_start(self):
        person = _next("organization", FIXTURE["organization"])
        self.signed_in(person["session"])
        self.organization = person["organization"]
        self.creators = person["creators"]

    @task(4)
    def dashboard(self):
        self.page("/", "dashboard")

    @task(4)
    def roster(self):
        self.page("/creators/", "roster")

    @task(3)
    def roster_search(self):
        self.fragment(
            f"/creators/?q={random.choice('abcdeu1234')}&sort=-followers", "roster search"
        )

    @task(2)
    def creator(self):
        self.page(f"/creators/{random.choice(self.creators)}/", "creator")

    @task(1)
    def organization_page(self):
        self.page(f"/organizations/{self.organization}/", "organization")

    @task(1)
    def coaching(self):
        self.page(f"/coaching/organizations/{self.organization}/", "coaching plan")

    @task(1)
    def statement(self):
        if FIXTURE["published_list"]:
            self.page(f"/rewards/lists/{FIXTURE['published_list']}/statement/", "statement")

    @task(1)
    def pool(self):
        self.page("/incubation/", "reserve pool")

    @task(1)
    def notifications(self):
        self.page("/notifications/", "notifications")

    @task(2)
    def api_creators(self):
        self.api("/api/v1/creators/?page_size=50", "creators list")

    @task(1)
    def api_metrics(self):
        self.api(
            f"/api/v1/metrics/?creator={random.choice(self.creators)}&page_size=50", "metrics list"
        )

    @task(1)
    def api_statements(self):
        self.api("/api/v1/statements/", "statements list")


class Manager(PortalUser):
    weight = 2

    def on_start(self):
        manager = _next("managers", FIXTURE["managers"])
        self.signed_in(manager["session"])
        self.organizations = manager["organizations"]

    @task(3)
    def dashboard(self):
        self.page("/", "dashboard")

    @task(2)
    def review_queue(self):
        self.page("/organizations/review/", "review queue")

    @task(2)
    def review_search(self):
        self.fragment("/organizations/review/?status=submitted", "review queue filter")

    @task(2)
    def book(self):
        self.page("/coaching/book/", "coaching book")

    @task(1)
    def agenda(self):
        self.page("/coaching/agenda/", "agenda")

    @task(2)
    def organization(self):
        if self.organizations:
            self.page(f"/organizations/{random.choice(self.organizations)}/", "organization")

    @task(2)
    def ranking(self):
        self.fragment("/incubation/ranking/", "ranking")

    @task(1)
    def api_organizations(self):
        self.api("/api/v1/organizations/", "organizations list")


class Operator(PortalUser):
    weight = 1

    def on_start(self):
        self.signed_in(_next("operators", FIXTURE["operators"])["session"])
        self.reward_list = FIXTURE["published_list"]

    @task(2)
    def dashboard(self):
        self.page("/", "dashboard")

    @task(1)
    def rewards(self):
        self.page("/rewards/", "rewards")

    @task(2)
    def reward_list(self):
        if self.reward_list:
            self.page(f"/rewards/lists/{self.reward_list}/", "reward list")

    @task(2)
    def reward_lines(self):
        if self.reward_list:
            self.fragment(
                f"/rewards/lists/{self.reward_list}/?kind=creator_subsidy&page=2", "reward lines"
            )

    @task(2)
    def audit(self):
        self.page("/audit/", "audit log")

    @task(1)
    def audit_filter(self):
        self.fragment("/audit/?action=settlement.compute", "audit log filter")

    @task(2)
    def roster(self):
        self.page("/creators/", "roster (staff)")

    @task(1)
    def partners(self):
        self.page("/partners/", "partners")

    @task(1)
    def api_audit(self):
        self.api("/api/v1/audit-entries/", "audit entries list")

    @task(1)
    def api_lines(self):
        if self.reward_list:
            self.api(f"/api/v1/reward-lists/{self.reward_list}/lines/", "reward lines list")


class Partner(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self):
        token = _next("tokens", FIXTURE["partner_tokens"])
        self.client.headers.update(
            {"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}
        )

    def api(self, url: str, name: str):
        return self.client.get(url, name=f"partner: {name}")

    @task(2)
    def organizations(self):
        self.api("/api/v1/organizations/", "organizations list")

    @task(3)
    def creators(self):
        self.api("/api/v1/creators/?page_size=100", "creators list")

    @task(2)
    def metrics(self):
        self.api(f"/api/v1/metrics/?date__gte={FIXTURE['metrics_day']}", "metrics list")

    @task(1)
    def reward_lists(self):
        self.api("/api/v1/reward-lists/?status=published", "reward lists")

    @task(1)
    def shortlist(self):
        self.api("/api/v1/shortlist/", "shortlists")

    @task(3)
    def push_metrics(self):
        accounts = random.sample(FIXTURE["accounts"], 100)
        rows = []
        for account in accounts:
            plays = random.randint(0, 100_000)
            rows.append(
                {
                    "platform_account_id": account,
                    "date": FIXTURE["metrics_day"],
                    "plays": plays,
                    "valid_plays": plays // 2,
                    "gmv": f"{random.randint(0, 99999)}.{random.randint(0, 99):02d}",
                }
            )
        self.client.post(
            "/api/v1/metrics/",
            json={"rows": rows},
            headers={"Idempotency-Key": str(uuid.uuid4())},
            name="partner: metrics POST (100 rows)",
        )


JOBS: list[dict] = []


def _job_event(name: str, started: float, error: str | None = None) -> None:
    """An import or a settlement from the first click to its end (not a request: kept apart)."""
    JOBS.append({"name": name, "seconds": time.perf_counter() - started, "error": error})


@events.quitting.add_listener
def _write_jobs(environment, **_kwargs):
    if os.environ.get("LOAD_JOBS"):
        with open(os.environ["LOAD_JOBS"], "w", encoding="utf-8") as handle:
            json.dump(JOBS, handle)


class BackgroundWork(PortalUser):
    """One operator who imports a metrics file and settles the current cycle, again and again."""

    fixed_count = 1
    wait_time = between(2, 4)
    POLL_SECONDS = 1.0
    JOB_TIMEOUT = 300

    def on_start(self):
        self.signed_in(FIXTURE["operators"][0]["session"])

    def _poll(self, url: str, name: str, done) -> bool:
        deadline = time.monotonic() + self.JOB_TIMEOUT
        while time.monotonic() < deadline:
            response = self.client.get(url, name=name, headers={"HX-Request": "true"})
            if done(response):
                return True
            time.sleep(self.POLL_SECONDS)
        return False

    def _import_page(self, url: str) -> str:
        return self.client.get(url, name="page: import").text

    @task
    def import_then_settle(self):
        self.metrics_import()
        self.settle()

    def metrics_import(self):
        started = time.perf_counter()
        response = self.client.post(
            "/creators/imports/?kind=metrics",
            data={"kind": "metrics", "csrfmiddlewaretoken": self.csrf},
            files={"file": ("metrics.csv", FIXTURE["import_csv"].encode(), "text/csv")},
            name="page: import upload",
            allow_redirects=False,
        )
        match = re.search(r"/creators/imports/(\d+)/", response.headers.get("Location", ""))
        if response.status_code != 302 or not match:
            _job_event("job: metrics import end to end", started, f"upload {response.status_code}")
            return
        url = f"/creators/imports/{match.group(1)}/"
        finished = lambda r: r.headers.get("HX-Refresh") == "true"  # noqa: E731
        if not self._poll(url, "htmx: import progress (poll)", finished):
            _job_event("job: metrics import end to end", started, "the check did not finish")
            return
        if "/confirm/" not in self._import_page(url):
            _job_event("job: metrics import end to end", started, "the check failed")
            return
        self.client.post(
            url + "confirm/",
            data={"skip_errors": "1", "csrfmiddlewaretoken": self.csrf},
            name="page: import confirm",
            allow_redirects=False,
        )
        if not self._poll(url, "htmx: import progress (poll)", finished):
            _job_event("job: metrics import end to end", started, "the commit did not finish")
            return
        page = self._import_page(url)
        ok = "message-success" in page  # "Imported: N creator-days."
        _job_event("job: metrics import end to end", started, None if ok else "not imported")

    def settle(self):
        cycle = FIXTURE["cycle_to_settle"]
        if not cycle:
            return
        started = time.perf_counter()
        response = self.client.post(
            f"/api/v1/cycles/{cycle}/compute/",
            headers={"X-CSRFToken": self.csrf, "Idempotency-Key": str(uuid.uuid4())},
            name="api: settlement compute",
        )
        if response.status_code != 202:
            _job_event("job: settlement end to end", started, f"compute {response.status_code}")
            return
        done = self._poll(
            f"/api/v1/cycles/{cycle}/",
            "api: cycle (poll)",
            lambda r: r.status_code == 200 and not r.json().get("computing"),
        )
        _job_event("job: settlement end to end", started, None if done else "still computing")
