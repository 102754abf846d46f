"""What every benchmark script shares: Django set-up, a throw-away database per script, timing,
reporting, EXPLAIN helpers and the ratio table that `bench/run.py` (`make bench`) gathers.

Import it first in a script (it sets Django up):

    import common
    from common import report, ratio, timed, best_of

Every ratio is `ours / baseline`, both measured in the same run on the same rows, with the goal of
issue #17 beside it. When BENCH_RATIOS names a file, each ratio is appended to it as one JSON line,
so that `bench/run.py` prints one table of every script's ratios.
"""

import contextlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

RESULTS: list[tuple[str, str]] = []
RATIOS: list[dict] = []


# --- reporting ---------------------------------------------------------------------------------


def report(label: str, value: str) -> None:
    RESULTS.append((label, value))
    print(f"  {label:62} {value}", flush=True)


def ratio(path: str, ours: float, base: float, goal: float | None = None, note: str = "") -> float:
    """Note `ours / base` for the table of `make bench` and print it; times in seconds."""
    value = ours / base if base else float("inf")
    row = {"path": path, "ours": ours, "base": base, "ratio": value, "goal": goal, "note": note}
    RATIOS.append(row)
    target = os.environ.get("BENCH_RATIOS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
    met = "" if goal is None else ("  meets the goal" if value <= goal else f"  goal <= {goal}x")
    report(
        path,
        f"{seconds(ours)} vs baseline {seconds(base)}  ratio {value:6.2f}x{met}"
        + (f"  ({note})" if note else ""),
    )
    return value


def seconds(value: float) -> str:
    return f"{value * 1000:8.1f} ms" if value < 1 else f"{value:8.2f} s "


def print_results() -> None:
    print("\n| measure | figure |\n| --- | --- |")
    for label, value in RESULTS:
        print(f"| {label.strip()} | {value.strip()} |")


def ratio_table(rows: list[dict]) -> str:
    lines = [
        "| path | ours | baseline | ratio | goal | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        goal = row.get("goal")
        verdict = "" if goal is None else ("ok" if row["ratio"] <= goal else "above")
        lines.append(
            f"| {row['path']} | {seconds(row['ours']).strip()} | {seconds(row['base']).strip()} "
            f"| {row['ratio']:.2f}x | {'' if goal is None else f'≤ {goal}x'} | {verdict} |"
        )
    return "\n".join(lines)


# --- timing ------------------------------------------------------------------------------------


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def best_of(repeat: int, function, before=None):
    """The shortest of `repeat` runs, that run's result and the last run's result; `before` runs
    untimed before each."""
    best = None
    result = None
    for _ in range(repeat):
        if before is not None:
            before()
        elapsed, result = timed(function)
        if best is None or elapsed < best[0]:
            best = (elapsed, result)
    return best[0], best[1], result


def median_time(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def p95_time(function, repeat: int = 20) -> float:
    times = sorted(timed(function)[0] for _ in range(repeat))
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


# --- the throw-away database -------------------------------------------------------------------


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmarks on PostgreSQL: set DATABASE_URL=postgres://...")


def database_name(suffix: str) -> str:
    """`<DATABASE_URL's database>_bench_<suffix>`: sessions sharing a server do not collide."""
    base = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "portal"
    return f"{base}_bench_{suffix}"


TEMPLATE = "BENCH_TEMPLATE"  # names a migrated database to copy (`make bench` makes one)


@contextlib.contextmanager
def bench_database(suffix: str):
    """A fresh migrated database for one script, dropped afterwards; DEBUG off (the code is
    measured, not Django's query log). When BENCH_TEMPLATE names a migrated database (bench/run.py
    makes one for all the scripts), the database is a copy of it (CREATE DATABASE ... TEMPLATE,
    about a second) instead of running the migrations again (15-20 s on two shared cores)."""
    require_postgresql()
    settings.DEBUG = False
    template = os.environ.get(TEMPLATE)
    if not template:
        connection.settings_dict["TEST"]["NAME"] = database_name(suffix)
        old = setup_databases(verbosity=0, interactive=False)
        try:
            yield
        finally:
            teardown_databases(old, verbosity=0)
        return
    from psycopg import sql

    name, main = database_name(suffix), connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = main
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def template_database() -> str:
    """The migrated database that `bench_database` copies when BENCH_TEMPLATE names it
    (bench/run.py makes it before the scripts): kept between runs like the roster's scratch
    database, created when missing and migrated when a migration is new."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    require_postgresql()
    name, main = database_name("template"), connection.settings_dict["NAME"]
    _switch_to_database(name)
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0)
    connection.close()  # a template is copied only when nobody is connected to it
    connection.settings_dict["NAME"] = main
    return name


def _switch_to_database(name: str) -> None:
    """Create the database `name` when it is missing and point the connection at it."""
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    connection.settings_dict["NAME"] = name


@contextlib.contextmanager
def kept_database(suffix: str):
    """Like `bench_database`, but the database stays after the run, so a large build (tens of
    millions of rows) is made once and measured again and again: created and migrated when
    missing, reused as it is otherwise. The script decides whether its rows are already there."""
    from django.core.management import call_command

    require_postgresql()
    settings.DEBUG = False
    name = database_name(suffix)
    _switch_to_database(name)
    call_command("migrate", verbosity=0)
    yield


def server_settings() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) "
            "FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', "
            "'max_parallel_workers_per_gather', 'server_version', 'jit')"
        )
        return cursor.fetchone()[0]


# --- baselines ---------------------------------------------------------------------------------


def raw_copy(csv_text: str, columns: str) -> float:
    """Seconds for PostgreSQL to COPY a CSV file (with its header) into a plain unindexed
    unlogged table: the floor of reading the file."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(csv_text.encode())
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def copy_rows(table: str, columns: list[str], rows) -> float:
    """Seconds to COPY `rows` into a real table; see copy_tables."""
    return copy_tables([(table, columns, rows)])


def copy_tables(copies: list[tuple[str, list[str], object]]) -> float:
    """Seconds to COPY rows (tuples, None for NULL) into real tables with their indexes, keys and
    triggers, in order, in one transaction whose deferred checks run before the clock stops and
    which is then rolled back, so that the code under test finds the tables unchanged. The rows
    are formatted before the clock starts."""
    from django.db import transaction

    prepared = []
    for table, columns, rows in copies:
        out = io.StringIO()
        for row in rows:
            out.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
        prepared.append(
            (f"COPY {table} ({', '.join(columns)}) FROM STDIN", out.getvalue().encode())
        )
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        for statement, data in prepared:
            with cursor.cursor.copy(statement) as copy:
                copy.write(data)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred key checks are part of it
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


# --- EXPLAIN -----------------------------------------------------------------------------------


class ExplainingCursor:
    """A cursor that runs the statements containing `marker` under EXPLAIN (ANALYZE, BUFFERS) and
    prints their plans; every other statement runs as it is."""

    def __init__(self, cursor, marker: str):
        self.cursor, self.marker = cursor, marker

    def __getattr__(self, name):
        return getattr(self.cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cursor.close()

    def execute(self, sql, params=None):
        if self.marker not in sql:
            return self.cursor.execute(sql, params)
        self.cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in self.cursor.fetchall():
            print(f"    {line}")
        self.cursor.rowcount = 0


@contextlib.contextmanager
def explaining(marker: str):
    """Within the block, the connection's statements containing `marker` print their plans
    (blocks nest: each restores the cursor it found)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    cursor = connection.cursor
    nested = "cursor" in vars(connections[DEFAULT_DB_ALIAS])
    connection.cursor = lambda: ExplainingCursor(cursor(), marker)
    try:
        yield
    finally:
        if nested:
            connection.cursor = cursor
        else:
            del connection.cursor


def explain(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in cursor.fetchall():
            print(f"    {line}")
