"""``python -m localgateway serve|reset|seed``."""

from __future__ import annotations

import argparse
import os

from . import app as gateway
from .config import load


def main() -> None:
    parser = argparse.ArgumentParser(prog="localgateway", description="The local Imbrace gateway stand-in.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the gateway API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("LOCALGATEWAY_PORT", "8100")))
    serve.add_argument("--log-level", default="warning")
    sub.add_parser("reset", help="delete all stored data")
    seed = sub.add_parser("seed", help="load the demo data")
    seed.add_argument("--if-empty", action="store_true", help="only when nothing has been stored yet")
    args = parser.parse_args()

    config = load()
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "localgateway.asgi:app",
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=False,
            timeout_graceful_shutdown=2,
        )
    elif args.command == "reset":
        gateway.reset(config)
        print(f"localgateway: removed the data under {config.data_dir}")
    elif args.command == "seed":
        marker = config.data_dir / ".seeded"
        if args.if_empty and marker.exists():
            print("localgateway: demo data already loaded")
            return
        gateway.open_database(config)
        gateway.seed(config)
        marker.touch()
        print("localgateway: demo data loaded")


if __name__ == "__main__":
    main()
