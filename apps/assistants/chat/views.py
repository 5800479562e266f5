"""Chat pages: a conversation per assistant, sending a message, and the answer stream (SSE).

Every role may chat (Viewer included): chatting reads an assistant and changes
nothing of its configuration. Conversations are private to their console user.

Sending a message (``static/js/chat.js`` posts the form asking for
``text/event-stream``) answers with one stream: first a ``turn`` event, the
markup of the question and of the answer to fill in; then the gateway's answer
relayed as it arrives, as small, sanitized HTML events: ``tool`` (the tool calls
so far), ``block`` (Markdown blocks just finished, to add), ``delta`` (the block
still being written, rendered, to replace the one before), ``more`` (escaped
text to add after a long open block, see ``streaming``), ``failure``,
``interrupted`` (the worker is restarting: the note and Retry that replace
Stop) and ``done``, with a ``: keepalive`` comment during long silences. One request
per message: the first word is not held up by a second request. Retry streams
the same way, starting with an ``answer`` event. Stop (or a lost connection)
ends the request, which closes the upstream one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseLocation, reswap, retarget

from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from apps.ops.metrics import chat_stream_observed
from imbrace_console.gateway.errors import GatewayNotFound

from ..markdown import plain_render
from .forms import ChatMessageForm
from .selectors import chat_assistant, chat_message_list, chat_turn_exists, conversation_get, conversation_list
from .services import (
    RelayEvent,
    chat_relay,
    chat_turn_new,
    chat_turn_retry,
    chat_turn_save,
    conversation_delete,
    conversation_new,
)

TEMPLATE = "assistants/chat_conversation.html"


async def _page(request: HttpRequest, assistant: dict, conversation=None, history=None, form=None) -> HttpResponse:
    user = await request.auser()
    context = {
        "assistant": assistant,
        "conversation": conversation,
        "history": history or [],
        "conversations": await conversation_list(user=user, assistant_id=str(assistant["id"])),
        "form": form or ChatMessageForm(initial={"conversation_id": conversation.pk if conversation else None}),
    }
    return render_page(request, TEMPLATE, context)


@require_GET
@role_required(Role.VIEWER)
async def assistants_chat(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """A new conversation with the assistant, with the user's earlier ones alongside."""
    return await _page(request, await chat_assistant(assistant_id=assistant_id, fresh=True))


@require_GET
@role_required(Role.VIEWER)
async def assistants_chat_conversation(request: HttpRequest, assistant_id: str, conversation_id) -> HttpResponse:
    """Resume a conversation: its history as the gateway keeps it."""
    conversation = await conversation_get(user=await request.auser(), conversation_id=conversation_id)
    if conversation is None or conversation.assistant_id != assistant_id:
        raise Http404("No such conversation.")
    try:
        assistant = await chat_assistant(assistant_id=assistant_id, fresh=True)
    except GatewayNotFound:  # deleted since: the conversation can still be read, not continued
        assistant = {"id": assistant_id, "name": conversation.assistant_name or "The assistant", "missing": True}
    history = await chat_message_list(conversation_id=conversation.pk)
    return await _page(request, assistant, conversation, history)


@require_GET
@role_required(Role.VIEWER)
async def chat_conversations_list(request: HttpRequest) -> HttpResponse:
    """All of the user's conversations, with every assistant."""
    conversations = await conversation_list(user=await request.auser(), limit=200)
    return render_page(request, "assistants/chat_list.html", {"conversations": conversations})


def _turn_context(turn, assistant_name: str) -> dict:
    return {
        "turn": turn,
        "assistant_name": assistant_name,
        "stop_url": reverse("assistants-chat-stop", kwargs={"token": turn.token}),
        "retry_url": reverse("assistants-chat-retry", kwargs={"token": turn.token}),
    }


def _wants_stream(request: HttpRequest) -> bool:
    """The page's script asks for the answer in the response (without it, the form posts and reloads)."""
    return "text/event-stream" in request.headers.get("Accept", "")


@require_POST
@role_required(Role.VIEWER)
async def assistants_chat_send(request: HttpRequest, assistant_id: str) -> HttpResponseBase:
    """Take a message and stream its answer in the response: the turn's markup first, then the answer's events."""
    user = await request.auser()
    form = ChatMessageForm(request.POST)
    if not form.is_valid():
        if not _wants_stream(request):
            return await _page(request, await chat_assistant(assistant_id=assistant_id, fresh=True), form=form)
        response = render(request, f"{TEMPLATE}#form_errors", {"form": form}, status=422)
        return reswap(retarget(response, "#chat-form-errors"), "innerHTML")  # where static/js/chat.js puts it
    text = form.cleaned_data["message"]
    conversation_id = form.cleaned_data["conversation_id"]
    started = conversation_id is None
    if started:
        assistant = await chat_assistant(assistant_id=assistant_id)
        turn = conversation_new(user=user, assistant=assistant, text=text)
        conversation = turn.conversation
    else:
        conversation = await conversation_get(user=user, conversation_id=conversation_id)
        if conversation is None or conversation.assistant_id != assistant_id:
            raise Http404("No such conversation.")
        turn = chat_turn_new(conversation=conversation, text=text)
    conversation_url = reverse(
        "assistants-chat-conversation", kwargs={"assistant_id": assistant_id, "conversation_id": conversation.pk}
    )
    if not _wants_stream(request):  # no script to show an answer: keep the conversation, whose page says so
        await chat_turn_save(turn)
        return redirect(conversation_url)
    context = {
        **_turn_context(turn, conversation.assistant_name),
        "conversation": conversation,
        "started": started,
        "question_html": plain_render(text),
    }
    if started:  # the page becomes the conversation's: its title, delete action and place in the list
        context["assistant"] = assistant
    response = _answer_response(user, turn, lambda: _sse("turn", render_to_string(f"{TEMPLATE}#turn", context)))
    if started:
        response["X-Conversation-Url"] = conversation_url
    return response


@require_POST
@role_required(Role.VIEWER)
async def chat_turn_retry_view(request: HttpRequest, token: str) -> HttpResponseBase:
    """Ask the same question again: a new answer, streamed, replacing the failed or stopped one."""
    user = await request.auser()
    turn = await chat_turn_retry(user=user, token=token)
    if turn is None:
        raise Http404("No such message.")
    context = _turn_context(turn, turn.conversation.assistant_name)
    return _answer_response(user, turn, lambda: _sse("answer", render_to_string(f"{TEMPLATE}#answer", context)))


@require_POST
@role_required(Role.VIEWER)
async def chat_turn_stop(request: HttpRequest, token: str) -> HttpResponse:
    """What replaces an answer's open stream when the user stops it (or the browser lost it), with Retry.

    Swapping the stream element out closes the browser's EventSource; the relay
    then sees the disconnect and closes its upstream request. Nothing to store.
    """
    if not await chat_turn_exists(user=await request.auser(), token=token):
        raise Http404("No such message.")
    context = {
        "reason": "dropped" if request.POST.get("reason") == "dropped" else "stopped",
        "retry_url": reverse("assistants-chat-retry", kwargs={"token": token}),
    }
    return render(request, f"{TEMPLATE}#stopped", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
async def assistants_chat_delete(request: HttpRequest, assistant_id: str, conversation_id) -> HttpResponse:
    """GET asks for confirmation (without JavaScript); POST deletes the conversation here and on the gateway."""
    user = await request.auser()
    conversation = await conversation_get(user=user, conversation_id=conversation_id)
    if conversation is None or conversation.assistant_id != assistant_id:
        raise Http404("No such conversation.")
    if request.method == "GET":
        return render_page(request, "assistants/chat_confirm_delete.html", {"conversation": conversation})
    await conversation_delete(actor=user, conversation=conversation)
    messages.success(request, f"Deleted the conversation “{conversation.title}”.")
    target = reverse("assistants-chat", kwargs={"assistant_id": assistant_id})
    if request.htmx:
        return HttpResponseLocation(target, status=204)
    return redirect(target)


def _sse(event: str, html: str) -> bytes:
    """One SSE event; each line of ``html`` becomes a ``data:`` line (the reader joins them back)."""
    data = "".join(f"data: {line}\n" for line in html.split("\n"))
    return f"event: {event}\n{data}\n".encode()


async def _sse_events(
    first: Callable[[], bytes], events: AsyncIterator[RelayEvent], *, retry_url: str
) -> AsyncIterator[bytes]:
    """The relay's events as escaped HTML SSE events, each sent as soon as it is made.

    ``first()`` makes the event that stands for ``begin`` (the question's or the
    answer's markup), so it is rendered while the gateway works on the message.
    """
    async for event in events:
        if event.kind == "begin":
            yield first()
        elif event.kind == "keepalive":
            yield b": keepalive\n\n"
        elif event.kind == "tools":
            yield _sse("tool", render_to_string("assistants/partials/chat_tools.html", {"tools": event.tools}))
        elif event.kind == "blocks":
            yield _sse("block", event.html)
        elif event.kind == "tail":
            yield _sse("delta", event.html)
        elif event.kind == "more":
            yield _sse("more", event.html)
        elif event.kind == "failure":
            context = {"message": event.text, "retry_url": retry_url if event.retry else ""}
            html = render_to_string("assistants/partials/chat_failure.html", context)
            yield _sse("failure", html)
        elif event.kind == "interrupted":
            context = {"reason": "interrupted", "retry_url": retry_url}
            yield _sse("interrupted", render_to_string(f"{TEMPLATE}#stopped", context))
        elif event.kind == "done":
            yield _sse("done", "")


def _answer_response(user, turn, first: Callable[[], bytes]) -> StreamingHttpResponse:
    """The turn's answer relayed from the gateway as it arrives (text/event-stream), after the event ``first()`` makes.

    ``X-Chat-Turn`` names the turn, whose elements the events fill in.
    """
    events = chat_stream_observed(
        chat_relay(
            actor=user,
            turn=turn,
            heartbeat=settings.CHAT_HEARTBEAT_SECONDS,
            stall=settings.CHAT_STALL_SECONDS,
            grace=settings.CONSOLE_SHUTDOWN_GRACE,
        ),
        assistant_id=turn.conversation.assistant_id,
        assistant_name=turn.conversation.assistant_name,
    )
    retry_url = reverse("assistants-chat-retry", kwargs={"token": turn.token})
    response = StreamingHttpResponse(_sse_events(first, events, retry_url=retry_url), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    response["X-Chat-Turn"] = turn.token
    return response
