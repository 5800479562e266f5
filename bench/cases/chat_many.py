"""Chat at 500 streams: first word, each word's added delay, drops, and console memory per stream.

500 replies of the slow assistant are started over a ramp (as people press
Send) and read to their end; while they all stream, probe messages are sent
one at a time for the first-word time. Console memory is sampled while the
console's streams are open. The paths take turns, each with its own 500.
"""

from __future__ import annotations

from ..client import RssSampler
from ..job import Job, record
from ..stats import lateness, percentile, rounded
from .chat import ChatPaths, Stream, chat_params, first_word_record, plateau

STREAMS = 500
RECORDS = {
    "chat_first_event_ms_p50@500": "ms",
    "chat_event_delay_ms_p95@500": "ms",
    "chat_dropped@500": "streams",
    "chat_rss_per_stream_kb@500": "KB",
}


def params(ctx) -> dict:
    quick = ctx.quick
    return {
        **chat_params(ctx),
        "streams": 10 if quick else STREAMS,
        "ramp_s": 1.0 if quick else 25.0,
        "settle_s": 3.0 if quick else 15.0,
        "probes": 3 if quick else 10,
    }


async def run(job: Job) -> list[dict]:
    p = job.params
    streams = p["streams"]
    paths = await ChatPaths.open(job, connections=streams + 10)
    probe, background = paths.probe, paths.background
    opened: dict[str, list[Stream]] = {}
    probed: dict[str, list[Stream]] = {}
    per_stream_kb = None
    try:
        for _ in range(3):  # warm the console
            await probe["console"]()
        with RssSampler(*job.console_pids) as memory:
            for name in ("console", "direct"):
                before = memory.reset()
                opened[name], probed[name] = await plateau(
                    background[name],
                    probe[name],
                    count=streams,
                    ramp_s=p["ramp_s"],
                    probes=p["probes"],
                    settle_s=p["settle_s"],
                    finish=True,
                )
                relayed = sum(1 for stream in opened[name] if stream.words)
                if name == "console" and relayed:  # memory per stream that actually relayed words
                    per_stream_kb = (memory.peak - before) / 1024 / relayed
    finally:
        await paths.aclose()

    completed = {name: [s.relative() for s in opened[name] if s.completed] for name in opened}
    delays = {name: lateness(completed[name], completed["direct"]) for name in opened}
    dropped = {name: sum(1 for s in opened[name] if not s.completed) for name in opened}
    errors = sorted({s.error for s in opened["console"] if s.error})
    size = f"{streams} streams" if streams != STREAMS else ""
    return [
        first_word_record("chat_first_event_ms_p50@500", probed, size),
        record(
            "chat_event_delay_ms_p95@500",
            rounded(percentile(delays["console"], 95)),
            rounded(percentile(delays["direct"], 95)),
            "ms",
            len(delays["console"]),
            note="each word after the first, against the earliest that word came on any direct stream",
        ),
        record(
            "chat_dropped@500",
            dropped["console"],
            dropped["direct"],
            "streams",
            streams,
            **({"note": f"console errors: {', '.join(errors)}"} if errors else {}),
        ),
        record(
            "chat_rss_per_stream_kb@500",
            rounded(per_stream_kb),
            None,
            "KB",
            streams,
            note="(peak RSS while the streams were open - RSS before) / streams that relayed words",
        ),
    ]
