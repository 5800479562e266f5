"""Step pages of a flow: add or edit a Return Response or a data-board step, remove a step, and convert
an old ``create_board_item`` step to the engine's ``auto_data_board``."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import redirect_after_write, render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from . import selectors, services
from .boardstep import board_action
from .forms import BoardStepForm, ReturnResponseForm, mapping_text, source_text

STEP_KINDS = {"return_response": "Return Response", "data_board": "data-board"}


def _detail_url(flow_id: str, anchor: str = "") -> str:
    return reverse("flows-detail", kwargs={"flow_id": flow_id}) + (f"#{anchor}" if anchor else "")


def _response_initial(step: selectors.Step) -> dict:
    response = step.response
    body = response["body"]
    return {
        "status": response["status"],
        "response_type": response["response_type"],
        "respond": response["respond"],
        "headers": "\n".join(f"{key}: {value}" for key, value in response["headers"].items()),
        "body": body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False),
    }


def _board_initial(step: selectors.Step, board_fields: list[dict]) -> dict:
    board_step = step.board_step
    return {
        "display_name": step.display_name,
        "board": board_step.board_id,
        "operation": board_step.operation,
        "input_method": board_step.method,
        "record_id": source_text(board_step.record_id),
        "mapping": mapping_text(board_step.values, board_fields),
    }


async def _board_choices() -> list[tuple[str, str]]:
    from apps.boards.selectors import board_choices

    return await board_choices()


async def _action_from(kind: str, form, *, name: str) -> dict:
    data = form.cleaned_data
    if kind == "return_response":
        return await services.return_response_action(
            name=name,
            status=data["status"],
            headers=data["headers"],
            body=data["body_value"],
            response_type=data["response_type"],
            respond=data["respond"],
        )
    operation = data["operation"]
    return board_action(
        name=name,
        display_name=data["display_name"],
        piece_version=await services.board_piece_version(),
        board_id=data["board"],
        operation=operation,
        method=data["input_method"],
        values=data["mapping"] if operation != "search" else {},
        record_id=data["record_id"] if operation != "create" else "",
    )


async def _step_page(request: HttpRequest, flow_id: str, kind: str, step_name: str = "") -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    step = None
    if step_name:
        step = next((item for item in flow.steps if item.name == step_name), None)
        if step is None:
            raise Http404("No such step")
        kind = step.kind
    if kind not in STEP_KINDS:
        raise Http404("Unknown step kind")
    data = request.POST if request.method == "POST" else None
    board_fields: list[dict] = []
    if kind == "return_response":
        form = ReturnResponseForm(data, initial=_response_initial(step) if step else {})
    else:
        board_id = (data.get("board") if data else request.GET.get("board")) or (step.board_id if step else "")
        board_fields = await selectors.flow_board_fields(board_id=board_id)
        initial = _board_initial(step, board_fields) if step else {}
        form = BoardStepForm(data, initial=initial, board_choices=await _board_choices(), board_fields=board_fields)
    if request.method == "POST" and form.is_valid():
        actor = await request.auser()
        try:
            action = await _action_from(kind, form, name=step.name if step else "")
            if step is None:
                await services.flow_step_add(actor=actor, flow=flow, action=action)
            else:
                await services.flow_step_update(actor=actor, flow=flow, action=action)
        except GatewayError as exc:
            form.add_error(None, exc.user_message)
        else:
            messages.success(request, f"{'Added' if step is None else 'Saved'} the {STEP_KINDS[kind]} step.")
            return redirect(_detail_url(flow_id, "flow-steps"))
    context = {"flow": flow, "form": form, "kind": kind, "kind_label": STEP_KINDS[kind], "step": step}
    context["board_fields"] = board_fields
    partial = "board_fields" if request.htmx.target == "board-fields" else None
    status = 400 if form.errors else 200
    return render_page(request, "flows/flow_step_form.html", context, partial=partial, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def flow_steps_create(request: HttpRequest, flow_id: str, kind: str) -> HttpResponse:
    return await _step_page(request, flow_id, kind)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def flow_steps_update(request: HttpRequest, flow_id: str, step_name: str) -> HttpResponse:
    return await _step_page(request, flow_id, "", step_name)


@require_POST
@role_required(Role.OPERATOR)
async def flow_steps_delete(request: HttpRequest, flow_id: str, step_name: str) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    step = next((item for item in flow.steps if item.name == step_name), None)
    if step is None:
        raise Http404("No such step")
    await services.flow_step_delete(actor=await request.auser(), flow=flow, step_name=step_name)
    messages.success(request, f"Removed the step “{step.display_name}”.")
    return redirect_after_write(request, _detail_url(flow_id, "flow-steps"))


@require_POST
@role_required(Role.OPERATOR)
async def flow_steps_convert(request: HttpRequest, flow_id: str, step_name: str) -> HttpResponse:
    """One click: the old create_board_item step becomes the equivalent auto_data_board create step."""
    flow = await selectors.flow_get(flow_id=flow_id)
    step = next((item for item in flow.steps if item.name == step_name), None)
    if step is None or step.kind != "board_item_legacy":
        raise Http404("No old board step of that name")
    try:
        await services.flow_step_convert(actor=await request.auser(), flow=flow, step_name=step_name)
    except GatewayError as exc:
        messages.error(request, f"The step was not converted: {exc.user_message}")
    else:
        messages.success(
            request,
            f"Converted “{step.display_name}” to a data-board create step. A later step that read "
            f"{{{{{step_name}.id}}}} must now read {{{{{step_name}.boardResponse.data.id}}}}.",
        )
    return redirect(_detail_url(flow_id, "flow-steps"))
