"""Assistant pages: list, detail, create, edit, delete, and attaching folders, boards and flows."""

from __future__ import annotations

import asyncio

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.selectors import audit_event_list_for_target
from apps.core.htmx import add_toast, gateway_error_status, redirect_after_write, render_page
from apps.core.roles import Role, role_required
from imbrace_console.gateway.errors import GatewayError, GatewayValidationError

from .forms import AssistantForm, ResourceForm, current_model_value, form_initial
from .selectors import (
    assistant_get,
    assistant_list,
    assistant_resources,
    model_choices,
    provider_label,
)
from .services import (
    WorkflowNameTaken,
    assistant_create,
    assistant_delete,
    assistant_resource_set,
    assistant_update,
    workflow_name_suggest,
)

RESOURCE_LABELS = {"folders": "knowledge folder", "boards": "board", "flows": "flow"}


@require_GET
@role_required(Role.VIEWER)
async def assistants_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    assistants = await assistant_list(search=search)
    context = {"assistants": assistants, "search": search}
    return render_page(request, "assistants/assistant_list.html", context, partial="rows")


async def _detail_context(assistant: dict) -> dict:
    resources, provider, history = await asyncio.gather(
        assistant_resources(assistant=assistant),
        provider_label(provider_id=str(assistant.get("provider_id") or "")),
        audit_event_list_for_target(target_type="assistant", target_id=str(assistant["id"])),
    )
    return {"assistant": assistant, "resources": resources, "provider": provider, "history": history}


@require_GET
@role_required(Role.VIEWER)
async def assistants_detail(request: HttpRequest, assistant_id: str) -> HttpResponse:
    assistant = await assistant_get(assistant_id=assistant_id)
    return render_page(request, "assistants/assistant_detail.html", await _detail_context(assistant))


def _failure_status(exc: GatewayError) -> int:
    return 422 if isinstance(exc, GatewayValidationError) else gateway_error_status(exc)


def _form_page(request: HttpRequest, form: AssistantForm, context: dict, *, status: int = 200) -> HttpResponse:
    return render_page(request, "assistants/assistant_form.html", {"form": form, **context}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def assistants_create(request: HttpRequest) -> HttpResponse:
    models = await model_choices()
    context = {"models": models, "editing": False, "workflow_name_example": workflow_name_suggest(name="Support bot")}
    if request.method == "GET":
        return _form_page(request, AssistantForm(models=models), context)
    form = AssistantForm(request.POST, models=models)
    if not form.is_valid():
        return _form_page(request, form, context, status=422)
    try:
        created = await assistant_create(actor=await request.auser(), fields=form.api_fields())
    except WorkflowNameTaken as exc:
        form.add_error("workflow_name", str(exc))
        return _form_page(request, form, context, status=422)
    except GatewayError as exc:
        form.add_gateway_error(exc)
        return _form_page(request, form, context, status=_failure_status(exc))
    messages.success(request, f"Created the assistant “{created.get('name')}”.")
    return redirect("assistants-detail", assistant_id=created["id"])


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def assistants_update(request: HttpRequest, assistant_id: str) -> HttpResponse:
    assistant, models = await asyncio.gather(assistant_get(assistant_id=assistant_id), model_choices())
    current = current_model_value(assistant)
    context = {"models": models, "editing": True, "assistant": assistant}
    if request.method == "GET":
        form = AssistantForm(initial=form_initial(assistant), models=models, editing=True, current_model=current)
        return _form_page(request, form, context)
    form = AssistantForm(
        request.POST, initial=form_initial(assistant), models=models, editing=True, current_model=current
    )
    if not form.is_valid():
        return _form_page(request, form, context, status=422)
    try:
        await assistant_update(actor=await request.auser(), assistant_id=assistant_id, fields=form.api_fields())
    except GatewayError as exc:
        form.add_gateway_error(exc)
        return _form_page(request, form, context, status=_failure_status(exc))
    messages.success(request, "Saved the assistant.")
    return redirect("assistants-detail", assistant_id=assistant_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
async def assistants_delete(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST deletes."""
    assistant = await assistant_get(assistant_id=assistant_id)
    if request.method == "GET":
        return render_page(request, "assistants/assistant_confirm_delete.html", {"assistant": assistant})
    name = str(assistant.get("name") or "")
    await assistant_delete(actor=await request.auser(), assistant_id=assistant_id, name=name)
    messages.success(request, f"Deleted the assistant “{name}”.")
    if request.htmx.boosted:
        return redirect("assistants-list")
    # The confirm dialog's hx-post: the page it was on is gone, so load the list.
    return redirect_after_write(request, "assistants-list")


@require_POST
@role_required(Role.OPERATOR)
async def assistants_resources(request: HttpRequest, assistant_id: str) -> HttpResponse:
    """Attach or detach one knowledge folder, board or flow; answers with the updated section."""
    form = ResourceForm(request.POST)
    if not form.is_valid():
        response = HttpResponse("Choose a folder, board or flow first.", status=422, content_type="text/plain")
        if request.htmx:
            response.status_code = 204
            return add_toast(response, "Choose a folder, board or flow first.", "error")
        return response
    kind, resource_id = form.cleaned_data["kind"], form.cleaned_data["resource_id"]
    attached = form.cleaned_data["op"] == "attach"
    updated = await assistant_resource_set(
        actor=await request.auser(), assistant_id=assistant_id, kind=kind, resource_id=resource_id, attached=attached
    )
    verb = "Attached" if attached else "Detached"
    message = f"{verb} the {RESOURCE_LABELS[kind]}."
    if not request.htmx:
        messages.success(request, message)
        return redirect(reverse("assistants-detail", kwargs={"assistant_id": assistant_id}) + "#assistant-resources")
    context = {"assistant": updated, "resources": await assistant_resources(assistant=updated)}
    response = render_page(request, "assistants/assistant_detail.html", context, partial="resources")
    return add_toast(response, message)
