"""Graceful shutdown of chat answers: a worker's event loop learns that SIGTERM arrived.

On SIGTERM uvicorn stops accepting connections and waits up to
``--timeout-graceful-shutdown`` for the open ones to finish. A chat answer may
take longer than that, so the relay ends it itself: ``CONSOLE_SHUTDOWN_GRACE``
seconds after the signal it closes the gateway stream and tells the browser
the answer was interrupted by a restart (with Retry, which another worker
serves).

Django has no ASGI lifespan to say that the server is stopping, and uvicorn
installs its own handlers with ``signal.signal`` when its server starts
(``Server.capture_signals``). So the first chat stream on the main thread's
event loop chains onto the SIGTERM handler in place (``watch``): the new
handler asks the loop to begin the drain (``loop.call_soon_threadsafe``), then
calls the handler it replaced, so uvicorn shuts down as before. Django's own
ASGI handler (``CONSOLE_STOCK_DJANGO=1``) runs on the same loop under
uvicorn, so it works the same way. Where SIGTERM has no Python handler
(``manage.py runserver``, tests, a loop in another thread), nothing is
installed: there the signal ends the process at once and there is nothing to
drain. Tests begin a drain by calling ``begin()``.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time

_began: float | None = None  # time.monotonic() when the drain began; None while the worker serves
_waiting: set[asyncio.Future[None]] = set()  # one per stream waiting for the drain
_installed = False


def watch() -> None:
    """Chain onto this process's SIGTERM handler, once, if it is a Python one and this is the main thread's loop."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):  # SIG_DFL or SIG_IGN: no server shutdown to take part in
        return
    loop = asyncio.get_running_loop()

    def handler(signum, frame) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(begin)
        previous(signum, frame)

    signal.signal(signal.SIGTERM, handler)
    _installed = True


def begin() -> None:
    """Begin the drain (again: no change): every stream's grace period counts from the first call."""
    global _began
    if _began is None:
        _began = time.monotonic()
    for future in tuple(_waiting):
        future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def draining() -> bool:
    return _began is not None


async def deadline(grace: float) -> None:
    """Return ``grace`` seconds after the drain began; wait for it to begin first (forever, if it never does)."""
    if _began is None:
        future = asyncio.get_running_loop().create_future()
        _waiting.add(future)
        try:
            if _began is None:
                await future
        finally:
            _waiting.discard(future)
    assert _began is not None
    await asyncio.sleep(max(0.0, _began + grace - time.monotonic()))


def reset() -> None:
    """Serve again (tests only: a worker that began draining is exiting)."""
    global _began
    _began = None
