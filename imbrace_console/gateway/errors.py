"""Typed gateway errors: what went wrong, in words a console user can act on.

Every error keeps the gateway's own message (``message``), a sentence for
the page (``user_message``), the HTTP status when there was one, the request
id the console sent, and per-field messages for validation failures.
"""

from __future__ import annotations

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class GatewayError(Exception):
    """Anything the gateway answered that the console could not use."""

    default_user_message = "The Imbrace gateway could not complete the request."
    retryable = False

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        method: str = "",
        path: str = "",
        request_id: str = "",
        field_errors: dict[str, str] | None = None,
        retry_after: float | None = None,
        unanswered: bool = False,
    ) -> None:
        super().__init__(message or self.default_user_message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.request_id = request_id
        self.field_errors = field_errors or {}
        self.retry_after = retry_after
        self.unanswered = unanswered

    @property
    def user_message(self) -> str:
        return self.default_user_message

    @property
    def maybe_applied(self) -> bool:
        """A write that was sent but not answered: the gateway may have carried it out."""
        return self.method in WRITE_METHODS and self.unanswered

    @property
    def detail(self) -> str:
        """The gateway's own words, when they add to ``user_message``."""
        return self.message if self.message and self.message != self.user_message else ""

    @property
    def user_message_with_detail(self) -> str:
        """``user_message``, then the gateway's own words in brackets when they add to it."""
        return self.user_message + (f" ({self.detail})" if self.detail else "")


MAYBE_APPLIED = " The change may have been made anyway: check before you send it again."


class GatewayUnavailable(GatewayError):
    default_user_message = "The Imbrace gateway is unavailable right now. Nothing was lost; try again in a moment."
    retryable = True

    @property
    def user_message(self) -> str:
        if self.maybe_applied:
            return "The Imbrace gateway is unavailable right now: the connection broke mid-request." + MAYBE_APPLIED
        return self.default_user_message


class GatewayTimeout(GatewayError):
    default_user_message = "The Imbrace gateway took too long to answer. Try again in a moment."
    retryable = True

    @property
    def user_message(self) -> str:
        if self.maybe_applied:
            return "The Imbrace gateway took too long to answer." + MAYBE_APPLIED
        return self.default_user_message


# The gateway's own proxy idle timeouts (docs/contract/platform/auth.md#timeouts-retries-and-rate-limits).
GATEWAY_LIMITS = (("/activepieces", 30), ("/data-board", 60))


class GatewayGaveUp(GatewayTimeout):
    """A 504 from the gateway itself: the service sent nothing for the gateway's idle limit
    (60 s on data-board routes, 30 s on flows). The service may carry on with the work."""

    @property
    def limit(self) -> int | None:
        return next((seconds for prefix, seconds in GATEWAY_LIMITS if self.path.startswith(prefix)), None)

    @property
    def user_message(self) -> str:
        limit = f" ({self.limit} seconds)" if self.limit else ""
        said = "The Imbrace gateway gave up waiting for the service after its own time limit" + limit + "."
        if self.method in WRITE_METHODS:
            return said + " The work may still be going on server-side: check before you send it again."
        return said + " Try again in a moment, or ask for less at once."

    @property
    def detail(self) -> str:
        return ""  # the proxy's text names the internal host: not shown


class GatewayAuthError(GatewayError):
    default_user_message = "The Imbrace gateway refused the console's credential."


class GatewayNotFound(GatewayError):
    default_user_message = "That item no longer exists on the Imbrace gateway."


class GatewayBadPath(GatewayNotFound):
    """A gateway path the console refused to send: an id that is not an id (``..``, a slash, a control
    character). Raised before anything reaches the gateway; a view shows it as a 404 like any unknown id."""

    default_user_message = "There is no such item: the address does not name anything on the Imbrace gateway."


class GatewayValidationError(GatewayError):
    default_user_message = "The Imbrace gateway did not accept the data."

    @property
    def user_message(self) -> str:
        return self.message or self.default_user_message


class GatewayConflict(GatewayError):
    default_user_message = "That conflicts with data already on the Imbrace gateway."

    @property
    def user_message(self) -> str:
        return self.message or self.default_user_message
