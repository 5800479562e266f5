"""``python -m bench [--quick]``: the console versus the gateway on every path users wait on."""

from __future__ import annotations

import argparse
import json
import time

from .harness import RESULTS_PATH, run
from .report import judge, table


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run with small loads")
    args = parser.parse_args()
    started = time.perf_counter()
    records = run(quick=args.quick)
    judge(records)
    print()
    print(table(records))
    RESULTS_PATH.write_text(json.dumps(records, indent=2) + "\n")
    print(f"\nbench: {len(records)} records in {time.perf_counter() - started:.0f}s -> {RESULTS_PATH}")


if __name__ == "__main__":
    main()
