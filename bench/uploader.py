"""``python -m bench.uploader``: send one file from disk and report how it went.

On stdout: a ``ready`` line just before the sending starts, then one JSON object.

A process of its own, so the sending competes with nothing in the load
process that watches the rest of the console meanwhile. httpx streams the
file in chunks with a Content-Length, as a browser does.

    python -m bench.uploader URL FILE [--header "Name: value"]... [--form NAME=VALUE]... [--insecure]

Without ``--form`` the file is the raw body; with it, a multipart form with the
file in a ``file`` part.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.uploader")
    parser.add_argument("url")
    parser.add_argument("file", type=Path)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--form", action="append", default=[])
    parser.add_argument("--insecure", action="store_true", help="accept any certificate (the production stack's own)")
    args = parser.parse_args()
    headers = dict(header.split(": ", 1) for header in args.header)
    print("ready", flush=True)  # the watchers begin now, not during this interpreter's start-up
    started = time.perf_counter()
    with (
        args.file.open("rb") as handle,
        httpx.Client(timeout=httpx.Timeout(600, connect=10), verify=not args.insecure) as client,
    ):
        if args.form:
            fields = dict(field.split("=", 1) for field in args.form)
            upload = (args.file.name, handle, "application/octet-stream")
            response = client.post(args.url, headers=headers, data=fields, files={"file": upload})
        else:
            response = client.post(args.url, headers=headers, content=handle)
    seconds = time.perf_counter() - started
    json.dump({"status": response.status_code, "seconds": seconds, "body": response.text[:300]}, sys.stdout)


if __name__ == "__main__":
    main()
