"""Push one day of metrics, then print the latest published reward list.

    PORTAL_TOKEN=ppk_... python client/examples/push_metrics_and_read_rewards.py \
        --base-url https://portal.example.com --date 2026-11-02 \
        dy_10001:12000:9000 dy_10002:800:650

Each creator is `<platform_account_id>:<plays>:<valid_plays>` on the command line, or a row of a
CSV file (`--csv day.csv`, header `platform_account_id,plays,valid_plays[,gmv,...]`). The token
needs `metrics:write` and `reward-lists:read`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from portal_client import ApiError, MetricRow, PortalClient

INTEGERS = {
    "plays",
    "valid_plays",
    "new_followers",
    "videos_published",
    "original_videos",
    "orders",
    "interactions",
}
DECIMALS = {"gmv", "commission"}


def rows_from_args(creators: Sequence[str], day: str) -> list[MetricRow]:
    rows: list[MetricRow] = []
    for spec in creators:
        account, plays, valid = [*spec.split(":"), "0", "0"][:3]
        rows.append(
            {
                "platform_account_id": account,
                "date": day,
                "plays": int(plays),
                "valid_plays": int(valid),
            }
        )
    return rows


def rows_from_csv(path: str, day: str) -> list[MetricRow]:
    rows: list[MetricRow] = []
    with open(path, newline="", encoding="utf-8") as file:
        for record in csv.DictReader(file):
            row: dict[str, object] = {"platform_account_id": record["platform_account_id"].strip()}
            row["date"] = (record.get("date") or day).strip()
            for name, value in record.items():
                if name in INTEGERS and value not in (None, ""):
                    row[name] = int(value)
                elif name in DECIMALS and value not in (None, ""):
                    row[name] = value.strip()
            row.setdefault("plays", 0)
            row.setdefault("valid_plays", 0)
            rows.append(row)  # type: ignore[arg-type]
    return rows


def main(argv: Sequence[str] | None = None, client: PortalClient | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("creators", nargs="*", help="<platform_account_id>:<plays>:<valid_plays>")
    parser.add_argument("--csv", help="a CSV file of rows instead")
    parser.add_argument("--base-url", default=os.environ.get("PORTAL_URL", "http://localhost:8000"))
    parser.add_argument(
        "--date",
        default=(datetime.date.today() - datetime.timedelta(days=1)).isoformat(),
        help="the day (default: yesterday)",
    )
    parser.add_argument("--lines", type=int, default=10, help="how many lines to print")
    parser.add_argument("--language", default="en", help="of error messages (en, zh-hans)")
    args = parser.parse_args(argv)

    token = os.environ.get("PORTAL_TOKEN")
    if client is None and not token:
        parser.error("set PORTAL_TOKEN to the partner application's token")
    rows = (
        rows_from_csv(args.csv, args.date) if args.csv else rows_from_args(args.creators, args.date)
    )
    if not rows:
        parser.error("name at least one creator, or --csv")
    client = client or PortalClient(args.base_url, token or "", language=args.language)

    try:
        result = client.push_metrics(rows)
        print(
            f"metrics for {args.date}: received {result['received']}, written {result['written']}, "
            f"rejected {result['rejected']}"
        )
        for position, reason in sorted(result["errors"].items(), key=lambda item: int(item[0])):
            print(f"  row {position} ({rows[int(position)]['platform_account_id']}): {reason}")

        latest = next(client.list_reward_lists(published=True, page_size=1), None)
        if latest is None:
            print("no published reward list yet")
            return 0
        print(
            f"reward list {latest['id']} (cycle {latest['cycle_number']}, {latest['starts_on']} to "
            f"{latest['ends_on']}): cash {latest['cash_total']}, traffic {latest['traffic_total']}, "
            f"{latest['line_count']} lines"
        )
        for number, line in enumerate(client.list_reward_lines(latest["id"]), start=1):
            if number > args.lines:
                break
            who = line.get("platform_account_id") or line.get("organization_name") or "-"
            print(f"  {line['kind']:<16} {who:<24} {line['amount']:>12} ({line['pool']})")
    except ApiError as error:
        print(f"error {error.status} {error.code}: {error.message}", file=sys.stderr)
        for field, messages in error.errors.items():
            print(f"  {field}: {' '.join(messages)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
