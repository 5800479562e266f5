"""``python -m bench.load``: run one case's load in a process of its own.

Reads a job (JSON) on stdin and prints the case's records (a JSON list) on
stdout. Keeping the load out of the harness process means the harness's
bookkeeping never competes with the timing loop, and each case starts with
a clean event loop and connection pool.
"""

from __future__ import annotations

import asyncio
import json
import sys

from .cases import CASES
from .job import Job


def main() -> None:
    job = Job.from_dict(json.load(sys.stdin))
    module = CASES[job.case]
    try:
        import uvloop
    except ImportError:
        records = asyncio.run(module.run(job))
    else:
        records = uvloop.run(module.run(job))
    sys.stdout.write(json.dumps(records) + "\n")


if __name__ == "__main__":
    main()
