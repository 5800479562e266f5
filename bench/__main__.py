"""``python -m bench [--quick]``: the console versus the gateway on every path users wait on."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .cases import ORDER
from .harness import RESULTS_PATHS, run
from .report import judge, table


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run with small loads")
    parser.add_argument("--case", action="append", choices=ORDER, help="run only this case (repeatable)")
    parser.add_argument("--profile", action="store_true", help="record the console with py-spy during each case")
    parser.add_argument(
        "--stack",
        choices=list(RESULTS_PATHS),
        default="local",
        help="local: one uvicorn worker, SQLite; production: deploy/'s nginx, 2 instances of 2 workers, PostgreSQL",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, even into a file
    started = time.perf_counter()
    records = run(quick=args.quick, cases=args.case, profile=args.profile, stack=args.stack)
    judge(records)
    print()
    print(table(records))
    results = RESULTS_PATHS[args.stack]
    results.write_text(json.dumps(records, indent=2) + "\n")
    print(f"\nbench: {len(records)} records in {time.perf_counter() - started:.0f}s -> {results}")
    broken = sorted({row["case"] for row in records if row.get("failed")})
    if broken:
        # A skipped case (its feature is missing) or a missed target is a result; a load that crashed is not.
        sys.exit(f"bench: the load failed for {', '.join(broken)} (see the notes and var/bench-logs/)")


if __name__ == "__main__":
    main()
