from django.urls import path

import apps.core.converters  # noqa: F401 (registers the gid and token converters)

from . import step_views, views

urlpatterns = [
    path("", views.flows_list, name="flows-list"),
    path("create/", views.flows_create, name="flows-create"),
    path("runs/", views.flow_runs_list, name="flow-runs-list"),
    path("runs/<gid:run_id>/", views.flow_runs_detail, name="flow-runs-detail"),
    path("runs/<gid:run_id>/rerun/", views.flow_runs_rerun, name="flow-runs-rerun"),
    path("<gid:flow_id>/", views.flows_detail, name="flows-detail"),
    path("<gid:flow_id>/rename/", views.flows_rename, name="flows-rename"),
    path("<gid:flow_id>/delete/", views.flows_delete, name="flows-delete"),
    path("<gid:flow_id>/webhook-trigger/", views.flows_trigger_webhook, name="flows-trigger-webhook"),
    path("<gid:flow_id>/publish/", views.flows_publish, name="flows-publish"),
    path("<gid:flow_id>/status/", views.flows_status, name="flows-status"),
    path("<gid:flow_id>/tool/", views.flows_tool, name="flows-tool"),
    path("<gid:flow_id>/assistants/", views.flows_assistants, name="flows-assistants"),
    path("<gid:flow_id>/trigger/", views.flows_trigger, name="flows-trigger"),
    path("<gid:flow_id>/webhook-url/", views.flows_webhook_reveal, name="flows-webhook-reveal"),
    path("<gid:flow_id>/steps/add/<slug:kind>/", step_views.flow_steps_create, name="flow-steps-create"),
    path("<gid:flow_id>/steps/<slug:step_name>/edit/", step_views.flow_steps_update, name="flow-steps-update"),
    path("<gid:flow_id>/steps/<slug:step_name>/delete/", step_views.flow_steps_delete, name="flow-steps-delete"),
    path("<gid:flow_id>/steps/<slug:step_name>/convert/", step_views.flow_steps_convert, name="flow-steps-convert"),
]
