"""Console user management (Admins) and "change my password" (everyone)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth import aupdate_session_auth_hash, get_user_model
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.audit.selectors import AuditFilters, audit_event_list
from apps.core.htmx import render_page
from apps.core.roles import Role, role_required
from apps.ops.metrics import login_lockout

from .forms import RoleForm, UserCreateForm, role_from
from .login_limits import client_address, login_attempt_begin, login_attempt_end, wait_words
from .selectors import user_get, user_list
from .services import (
    AccountChangeRefused,
    user_activate,
    user_create,
    user_deactivate,
    user_password_set,
    user_role_set,
)


def _detail_url(user_id: int) -> str:
    return reverse("users-detail", kwargs={"user_id": user_id})


async def _detail_page(request: HttpRequest, user_id: int, *, role_form=None, status: int = 200) -> HttpResponse:
    target = await user_get(user_id=user_id)
    recent = await audit_event_list(actor_id=target.id, sees_everyone=False, filters=AuditFilters(), page_size=10)
    actor = await request.auser()
    context = {
        "target": target,
        "is_self": actor.pk == target.id,
        "role_form": role_form or RoleForm(initial={"role": target.role.group_name if target.role else ""}),
        "recent_events": recent.events,
    }
    return render_page(request, "accounts/user_detail.html", context, status=status)


@require_GET
@role_required(Role.ADMIN)
async def users_list(request: HttpRequest) -> HttpResponse:
    return render_page(request, "accounts/user_list.html", {"users": await user_list()})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
async def users_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render_page(request, "accounts/user_create.html", {"form": UserCreateForm(initial={"role": "Viewer"})})
    form = UserCreateForm(request.POST)
    if not await sync_to_async(form.is_valid)():
        return render_page(request, "accounts/user_create.html", {"form": form}, status=400)
    created = await user_create(
        actor=await request.auser(),
        username=form.cleaned_data["username"],
        password=form.cleaned_data["password1"],
        role=role_from(form.cleaned_data["role"]),
    )
    messages.success(request, f"Created {created.username} ({created.role_name}).")
    return HttpResponseRedirect(_detail_url(created.id))


@require_GET
@role_required(Role.ADMIN)
async def users_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return await _detail_page(request, user_id)


@require_POST
@role_required(Role.ADMIN)
async def users_role_update(request: HttpRequest, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        return await _detail_page(request, user_id, role_form=form, status=400)
    try:
        target = await user_role_set(
            actor=await request.auser(), user_id=user_id, role=role_from(form.cleaned_data["role"])
        )
    except AccountChangeRefused as exc:
        form.add_error(None, str(exc))
        return await _detail_page(request, user_id, role_form=form, status=400)
    messages.success(request, f"{target.username} is now {target.role_name}.")
    return HttpResponseRedirect(_detail_url(user_id))


async def _set_active(request: HttpRequest, user_id: int, *, active: bool) -> HttpResponse:
    change = user_activate if active else user_deactivate
    try:
        target = await change(actor=await request.auser(), user_id=user_id)
    except AccountChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.username} is {'active again' if active else 'deactivated and logged out'}.")
    return HttpResponseRedirect(_detail_url(user_id))


@require_POST
@role_required(Role.ADMIN)
async def users_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return await _set_active(request, user_id, active=False)


@require_POST
@role_required(Role.ADMIN)
async def users_activate(request: HttpRequest, user_id: int) -> HttpResponse:
    return await _set_active(request, user_id, active=True)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
async def users_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """An Admin sets a new password for someone else; all of that user's sessions end."""
    target = await user_get(user_id=user_id)
    if target.id == (await request.auser()).pk:
        return HttpResponseRedirect(reverse("password-change"))
    user = await get_user_model().objects.aget(pk=user_id)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    context = {"form": form, "target": target, "title": f"Reset the password of {target.username}"}
    if request.method == "GET":
        return render_page(request, "accounts/password_form.html", context)
    if not await sync_to_async(form.is_valid)():
        return render_page(request, "accounts/password_form.html", context, status=400)
    await user_password_set(actor=await request.auser(), user_id=user_id, password=form.cleaned_data["new_password1"])
    messages.success(request, f"New password set for {target.username}; their open sessions have ended.")
    return HttpResponseRedirect(_detail_url(user_id))


@require_http_methods(["GET", "POST"])
@role_required(Role.VIEWER)
async def password_change(request: HttpRequest) -> HttpResponse:
    """Change my own password: this session stays logged in, every other one of mine ends."""
    user = await request.auser()
    form = PasswordChangeForm(user, request.POST if request.method == "POST" else None)
    context = {"form": form, "title": "Change your password", "own": True}
    if request.method == "GET":
        return render_page(request, "accounts/password_form.html", context)
    # The current password is guessed here as on the log-in page: the same limit applies.
    # Checked and counted in one step, before the password is (see login_limits).
    attempt = await sync_to_async(login_attempt_begin)(username=user.get_username(), address=client_address(request))
    if attempt.wait:
        login_lockout("password-change")
        context.update(
            form=PasswordChangeForm(user),
            refusal=f"Too many wrong passwords. Try again in {wait_words(attempt.wait)}.",
        )
        response = render_page(request, "accounts/password_form.html", context, status=429)
        response["Retry-After"] = str(attempt.wait)
        return response
    # Checking the current password is a slow hash: not in the sync thread the async views share.
    valid = await sync_to_async(form.is_valid, thread_sensitive=False)()
    await sync_to_async(login_attempt_end)(attempt, password_was_wrong="old_password" in form.errors)
    if not valid:
        return render_page(request, "accounts/password_form.html", context, status=400)
    await user_password_set(actor=user, user_id=user.pk, password=form.cleaned_data["new_password1"])
    await aupdate_session_auth_hash(request, await get_user_model().objects.aget(pk=user.pk))
    messages.success(request, "Password changed. Your other sessions have been logged out.")
    return HttpResponseRedirect(reverse("password-change"))
