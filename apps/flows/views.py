"""Flow pages: list, create, the flow page (trigger, steps, publish, tool, assistants), trigger, runs."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.selectors import audit_event_list_for_target
from apps.core.htmx import redirect_after_write, render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError

from . import selectors, services
from .boardstep import output_deferred, output_problem
from .forms import FlowFilterForm, FlowNameForm, RunFilterForm, ToolForm, TriggerForm

PAGE_SIZE = 20
RECENT_RUNS = 5


def _query(**params: str) -> str:
    kept = {key: value for key, value in params.items() if value}
    return f"?{urlencode(kept)}" if kept else "?"


def _pager(base: str, page: selectors.Page, **filters: str) -> dict:
    return {
        "prev_url": base + _query(**filters, cursor=page.previous) if page.previous else "",
        "next_url": base + _query(**filters, cursor=page.next) if page.next else "",
    }


def _detail_url(flow_id: str, anchor: str = "") -> str:
    return reverse("flows-detail", kwargs={"flow_id": flow_id}) + (f"#{anchor}" if anchor else "")


# --- list and create --------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
async def flows_list(request: HttpRequest) -> HttpResponse:
    form = FlowFilterForm(request.GET)
    form.is_valid()
    q, status, cursor = (form.cleaned_data.get(key, "") for key in ("q", "status", "cursor"))
    page = await selectors.flow_list(name=q, status=status, cursor=cursor, limit=PAGE_SIZE)
    context = {
        "form": form,
        "flows": page.items,
        "pager": _pager(reverse("flows-list"), page, q=q, status=status),
        "filtered": bool(q or status),
    }
    return render_page(request, "flows/flow_list.html", context, partial="results")


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def flows_create(request: HttpRequest) -> HttpResponse:
    form = FlowNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flow = await services.flow_create(
                actor=await request.auser(), display_name=form.cleaned_data["display_name"]
            )
        except GatewayError as exc:
            form.add_error("display_name", exc.user_message)
        else:
            messages.success(request, f"Created the flow “{flow.name}”. Next: make its trigger a webhook.")
            return redirect("flows-detail", flow_id=flow.id)
    status = 400 if form.errors else 200
    project_id = await _project_id()
    return render_page(request, "flows/flow_create.html", {"form": form, "project_id": project_id}, status=status)


async def _project_id() -> str:
    try:
        return await selectors.flow_project_id()
    except GatewayError:
        return ""


# --- the flow page ----------------------------------------------------------------------------------


async def _assistant_rows(flow_id: str) -> tuple[list[dict], str]:
    from apps.assistants.selectors import assistant_list, resource_ids

    try:
        assistants = await assistant_list()
    except GatewayError as exc:
        return [], exc.user_message
    rows = [
        {
            "id": str(row.get("id")),
            "name": str(row.get("name") or row.get("id")),
            "bound": flow_id in resource_ids(row.get("workflow_function_call")),
        }
        for row in assistants
        if row.get("id")
    ]
    return rows, ""


async def _board_names() -> dict[str, str]:
    from apps.boards.selectors import board_choices

    try:
        return dict(await board_choices())
    except GatewayError:
        return {}


async def _recent_runs(flow_id: str) -> tuple[list, str]:
    try:
        return (await selectors.flow_run_list(flow_id=flow_id, limit=RECENT_RUNS)).items, ""
    except GatewayError as exc:
        return [], exc.user_message


async def _detail_context(flow: selectors.Flow, **extra) -> dict:
    assistants, assistants_error = await _assistant_rows(flow.id)
    runs, runs_error = await _recent_runs(flow.id)
    tool = flow.tool
    board_kinds = ("data_board", "board_item_legacy")
    board_names = await _board_names() if any(step.kind in board_kinds for step in flow.steps) else {}
    fields_by_board: dict[str, dict[str, str]] = {}
    for step in flow.steps:
        step.board_name = board_names.get(step.board_id, step.board_id)
        if step.kind == "data_board" and step.board_id not in fields_by_board:
            board_fields = await selectors.flow_board_fields(board_id=step.board_id)
            fields_by_board[step.board_id] = {item["id"]: item["name"] for item in board_fields}
        if step.kind == "data_board":  # field ids shown by name where the board still has them
            names = fields_by_board[step.board_id]
            step.value_rows = [(names.get(key, key), source) for key, source in step.board_step.values.items()]
    context = {
        "flow": flow,
        "webhook_urls": {},  # shown only once revealed (flows_webhook_reveal), which is audited
        "webhook_masked": selectors.flow_webhook_urls(flow_id=flow.id)["async"].rsplit("/", 1)[0] + "/" + "•" * 12,
        "assistants": assistants,
        "assistants_error": assistants_error,
        "runs": runs,
        "runs_error": runs_error,
        "runs_polling": any(not run.terminal for run in runs),
        "rename_form": FlowNameForm(initial={"display_name": flow.name}),
        "tool_form": ToolForm(
            initial={
                "description": tool.get("description", ""),
                "parameters": json.dumps(tool["parameters"], indent=2) if tool.get("parameters") else "",
            }
        ),
        "publish_error": "",
        "history": await audit_event_list_for_target(target_type="flow", target_id=flow.id),
    }
    context.update(extra)
    return context


@require_GET
@role_required(Role.VIEWER)
async def flows_detail(request: HttpRequest, flow_id: str) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    if request.htmx.target == "flow-runs-recent":
        runs, runs_error = await _recent_runs(flow.id)
        context = {"flow": flow, "runs": runs, "runs_error": runs_error}
        context["runs_polling"] = any(not run.terminal for run in runs)
        return render_page(request, "flows/flow_detail.html", context, partial="recent_runs")
    return render_page(request, "flows/flow_detail.html", await _detail_context(flow))


async def _detail_error(request: HttpRequest, flow_id: str, **extra) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    return render_page(request, "flows/flow_detail.html", await _detail_context(flow, **extra), status=400)


async def _detail_form_save(
    request: HttpRequest,
    flow_id: str,
    form: forms.Form,
    form_name: str,
    *,
    save: Callable[[selectors.Flow, dict], Awaitable[None]],
    success: str,
    anchor: str = "",
) -> HttpResponse:
    """Save a form posted from the flow's page with ``save(flow, cleaned_data)``.

    Then back to the page with ``success`` (formatted with the cleaned data), or the page again (400) with the
    form, under ``form_name``, showing what was wrong: its own errors, or the gateway's beside its first field
    (each of these forms lists the setting it changes first).
    """
    if form.is_valid():
        flow = await selectors.flow_get(flow_id=flow_id)
        try:
            await save(flow, form.cleaned_data)
        except GatewayError as exc:
            form.add_error(next(iter(form.fields)), exc.user_message)
        else:
            messages.success(request, success.format(**form.cleaned_data))
            return redirect(_detail_url(flow_id, anchor))
    return await _detail_error(request, flow_id, **{form_name: form})


@require_POST
@role_required(Role.OPERATOR)
async def flows_rename(request: HttpRequest, flow_id: str) -> HttpResponse:
    form = FlowNameForm(request.POST)

    async def rename(flow: selectors.Flow, data: dict) -> None:
        actor = await request.auser()
        await services.flow_rename(actor=actor, flow_id=flow_id, display_name=data["display_name"], old_name=flow.name)

    success = "Renamed the flow to “{display_name}”."
    return await _detail_form_save(request, flow_id, form, "rename_form", save=rename, success=success)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def flows_delete(request: HttpRequest, flow_id: str) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    if request.method == "GET":
        return render_page(request, "flows/flow_confirm_delete.html", {"flow": flow})
    await services.flow_delete(actor=await request.auser(), flow_id=flow_id, name=flow.name)
    messages.success(request, f"Deleted the flow “{flow.name}”.")
    return redirect_after_write(request, "flows-list")


@require_POST
@role_required(Role.OPERATOR)
async def flows_trigger_webhook(request: HttpRequest, flow_id: str) -> HttpResponse:
    await services.flow_trigger_webhook_set(actor=await request.auser(), flow_id=flow_id)
    messages.success(request, "The trigger is now a webhook. Add a Return Response step to answer sync calls.")
    return redirect(_detail_url(flow_id, "flow-trigger"))


@require_POST
@role_required(Role.OPERATOR)
async def flows_webhook_reveal(request: HttpRequest, flow_id: str) -> HttpResponse:
    """Show the webhook URLs in full: whoever has them can trigger the flow, so each reveal is audited."""
    flow = await selectors.flow_get(flow_id=flow_id)
    urls = await services.flow_webhook_reveal(actor=await request.auser(), flow=flow)
    if request.htmx:
        context = {"flow": flow, "webhook_urls": urls}
        return render_page(request, "flows/flow_detail.html", context, partial="webhook_urls")
    return render_page(request, "flows/flow_detail.html", await _detail_context(flow, webhook_urls=urls))


async def _published_change(
    request: HttpRequest, flow_id: str, change: Awaitable[selectors.Flow], success: Callable[[selectors.Flow], str]
) -> HttpResponse:
    """Await a publish or status ``change`` and go back to the flow's page saying ``success(flow)``.

    When the flow cannot be published, its page again (400) says why.
    """
    try:
        flow = await change
    except services.FlowNotPublishable as exc:
        return await _detail_error(request, flow_id, publish_error=exc.reason)
    messages.success(request, success(flow))
    return redirect(_detail_url(flow_id))


@require_POST
@role_required(Role.OPERATOR)
async def flows_publish(request: HttpRequest, flow_id: str) -> HttpResponse:
    publish = services.flow_publish(actor=await request.auser(), flow_id=flow_id)
    try:
        return await _published_change(
            request, flow_id, publish, lambda flow: f"Published “{flow.name}”; its webhook is live."
        )
    except GatewayError as exc:
        return await _detail_error(request, flow_id, publish_error=exc.user_message)


@require_POST
@role_required(Role.OPERATOR)
async def flows_status(request: HttpRequest, flow_id: str) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    enabled = request.POST.get("enabled") == "1"
    change = services.flow_status_set(actor=await request.auser(), flow=flow, enabled=enabled)
    return await _published_change(
        request, flow_id, change, lambda flow: f"{'Enabled' if flow.enabled else 'Disabled'} “{flow.name}”."
    )


@require_POST
@role_required(Role.OPERATOR)
async def flows_tool(request: HttpRequest, flow_id: str) -> HttpResponse:
    form = ToolForm(request.POST)

    async def save(flow: selectors.Flow, data: dict) -> None:
        description, parameters = data["description"], data["parameters"]
        await services.flow_tool_update(
            actor=await request.auser(), flow=flow, description=description, parameters=parameters
        )

    success = "Saved the tool description."
    return await _detail_form_save(request, flow_id, form, "tool_form", save=save, success=success, anchor="flow-tool")


@require_POST
@role_required(Role.OPERATOR)
async def flows_assistants(request: HttpRequest, flow_id: str) -> HttpResponse:
    changed = await services.flow_assistants_update(
        actor=await request.auser(), flow_id=flow_id, assistant_ids=request.POST.getlist("assistants")
    )
    if changed:
        messages.success(request, "Updated the assistants: " + ", ".join(changed) + ".")
    else:
        messages.info(request, "No assistant changed.")
    return redirect(_detail_url(flow_id, "flow-assistants"))


# --- triggering -------------------------------------------------------------------------------------


async def _trigger_context(flow: selectors.Flow, form: TriggerForm, result=None) -> dict:
    live = await selectors.flow_published_get(flow=flow)
    return {
        "flow": flow,
        "form": form,
        "result": result,
        "live_has_return_response": bool(live and live.has_return_response),
        "runs_url": reverse("flow-runs-list") + _query(flow=flow.id),
        "sync_limit": services.GATEWAY_SYNC_LIMIT,
    }


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def flows_trigger(request: HttpRequest, flow_id: str) -> HttpResponse:
    flow = await selectors.flow_get(flow_id=flow_id)
    if request.method == "GET":
        form = TriggerForm(initial={"payload": request.GET.get("payload") or "{}"})
        return render_page(request, "flows/flow_trigger.html", await _trigger_context(flow, form))
    form = TriggerForm(request.POST)
    result = None
    if form.is_valid():
        result = await services.flow_trigger(
            actor=await request.auser(),
            flow_id=flow_id,
            payload=form.cleaned_data["payload"],
            sync=form.cleaned_data["mode"] == "sync",
            name=flow.name,
        )
    context = await _trigger_context(flow, form, result)
    return render_page(request, "flows/flow_trigger.html", context, partial="panel", status=400 if form.errors else 200)


# --- runs -------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.VIEWER)
async def flow_runs_list(request: HttpRequest) -> HttpResponse:
    form = RunFilterForm(request.GET)
    form.is_valid()
    status, flow_id, cursor = (form.cleaned_data.get(key, "") for key in ("status", "flow", "cursor"))
    page = await selectors.flow_run_list(flow_id=flow_id, status=status, cursor=cursor, limit=PAGE_SIZE)
    try:
        flow_choices = await selectors.flow_choices()
    except GatewayError:
        flow_choices = []
    context = {
        "form": form,
        "runs": page.items,
        "flow_choices": flow_choices,
        "flow_id": flow_id,
        "flow_name": dict(flow_choices).get(flow_id, ""),
        "pager": _pager(reverse("flow-runs-list"), page, status=status, flow=flow_id),
        "polling": any(not run.terminal for run in page.items),
        "poll_url": request.get_full_path(),
    }
    return render_page(request, "flows/flow_run_list.html", context, partial="runs")


@require_GET
@role_required(Role.VIEWER)
async def flow_runs_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    run = await selectors.flow_run_get(run_id=run_id)
    for step in run.steps:  # shown whole: a run page never truncates what a step saw or produced
        step["input_json"] = json.dumps(step["input"], indent=2, ensure_ascii=False, default=str)
        step["output_json"] = json.dumps(step["output"], indent=2, ensure_ascii=False, default=str)
        # The data-board piece reports its failures as outputs of a SUCCEEDED step (flows.md#the-data-board-step).
        step["problem"] = output_problem(step["output"]) if step["status"] == "SUCCEEDED" else ""
        step["deferred"] = step["status"] == "SUCCEEDED" and output_deferred(step["output"])
    context = {"run": run, "failed_outputs": [step for step in run.steps if step["problem"]]}
    context["deferred"] = [step for step in run.steps if step["deferred"]]
    return render_page(request, "flows/flow_run_detail.html", context, partial="run")


@require_POST
@role_required(Role.OPERATOR)
async def flow_runs_rerun(request: HttpRequest, run_id: str) -> HttpResponse:
    result, flow_id = await services.flow_run_rerun(actor=await request.auser(), run_id=run_id)
    url = reverse("flow-runs-list") + _query(flow=flow_id)
    if result.ok:
        messages.success(request, "Triggered the flow again with the same payload; the new run is below.")
    else:
        messages.error(request, result.message)
    return redirect(url)
