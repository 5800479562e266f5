"""The bench cases, one module per area.

Each module has ``RECORDS`` (record name -> unit), ``params(ctx)`` (run in the
harness: what the load needs, or ``Skip`` when the console lacks the feature)
and ``async run(job)`` (run in the load process: returns the records).
"""

from . import boards, chat, chat_many, dashboard, pages, upload

CASES = {
    "pages": pages,
    "boards": boards,
    "chat": chat,
    "chat_many": chat_many,
    "upload": upload,
    "dashboard": dashboard,
}
ORDER = list(CASES)
