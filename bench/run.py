"""`make bench`: every benchmark script in turn, then one table of every ratio against its raw
baseline (measured in the same run of the same script), with the goals of issue #17.

    DATABASE_URL=postgres://... .venv/bin/python bench/run.py            (the full sizes)
    ... --quick                                                           (small sizes, < 3 min)
    ... --only settlement,api                                             (some scripts)

Each script runs in its own process (its own throw-away database, its own settings) and appends
its ratios to a JSON-lines file named by BENCH_RATIOS; this script prints them as one table.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "api": "api_bench.py",
    "settlement": "settlement_bench.py",
    "incubation": "incubation_bench.py",
    "creators": "creators_bench.py",
    "roster": "roster_bench.py",
    "content": "content_bench.py",
    "growth": "growth_bench.py",
    "risk": "risk_bench.py",
    "payouts": "payouts_bench.py",
    "placements": "placements_bench.py",
}
# The quick run stays under three minutes on two shared cores: small sizes, fewer repeats, and
# the content benchmark's near-duplicate part (minutes even when small) left out; every script
# still prints every ratio it owns. Each script's database is a copy of one migrated template.
QUICK_ARGS = {
    "api": ["--quick"],
    "settlement": ["--sizes", "5000"],
    "incubation": ["--sizes", "1000"],
    "creators": ["--scale", "100"],
    "roster": ["--creators", "20000", "--repeat", "3"],
    "content": ["--scale", "100", "--skip", "duplicates,ingestion"],
    "growth": ["--sizes", "200:20000", "--repeat", "1"],
    "risk": ["--sizes", "10000", "--repeat", "1"],
    "payouts": ["--sizes", "2000"],
    "placements": [
        "--videos",
        "20000",
        "--placements",
        "2000",
        "--eligible",
        "2000",
        "--runs",
        "20",
    ],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, under three minutes")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(SCRIPTS))
    parser.add_argument("args", nargs=argparse.REMAINDER, help="passed to every script")
    args = parser.parse_args()
    chosen = [name for name in args.only.split(",") if name] or list(SCRIPTS)
    unknown = set(chosen) - set(SCRIPTS)
    if unknown:
        sys.exit(f"--only: unknown {', '.join(sorted(unknown))}")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... to run the benchmarks")
    started = time.perf_counter()
    failed = []
    # One migrated database that every script's database is copied from, instead of each script
    # running the migrations again (30-50 s each on two shared cores); kept for the next run.
    template = subprocess.run(
        [sys.executable, "-c", "import common; print(common.template_database())"],
        cwd=HERE,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"template database {template}: {time.perf_counter() - started:.0f} s", flush=True)
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as ratios:
        environment = {**os.environ, "BENCH_RATIOS": ratios.name, "BENCH_TEMPLATE": template}
        for name in chosen:
            command = [sys.executable, str(HERE / SCRIPTS[name])]
            command += QUICK_ARGS[name] if args.quick else []
            command += [arg for arg in args.args if arg != "--"]
            print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
            began = time.perf_counter()
            if subprocess.run(command, env=environment, check=False).returncode:  # noqa: S603 - our own scripts
                failed.append(name)
            print(f"== {name}: {time.perf_counter() - began:.0f} s", flush=True)
        rows = [json.loads(line) for line in ratios.read().splitlines() if line.strip()]
    sys.path.insert(0, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from common import ratio_table  # after the scripts: it sets Django up

    print(
        f"\nEvery ratio (ours / raw baseline of the same run), {time.perf_counter() - started:.0f} s"
    )
    print(ratio_table(rows))
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
