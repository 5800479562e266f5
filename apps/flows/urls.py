from django.urls import path

from . import views

urlpatterns = [
    path("", views.flows_list, name="flows-list"),
    path("create/", views.flows_create, name="flows-create"),
    path("runs/", views.flow_runs_list, name="flow-runs-list"),
    path("runs/<str:run_id>/", views.flow_runs_detail, name="flow-runs-detail"),
    path("runs/<str:run_id>/rerun/", views.flow_runs_rerun, name="flow-runs-rerun"),
    path("<str:flow_id>/", views.flows_detail, name="flows-detail"),
    path("<str:flow_id>/rename/", views.flows_rename, name="flows-rename"),
    path("<str:flow_id>/delete/", views.flows_delete, name="flows-delete"),
    path("<str:flow_id>/webhook-trigger/", views.flows_trigger_webhook, name="flows-trigger-webhook"),
    path("<str:flow_id>/publish/", views.flows_publish, name="flows-publish"),
    path("<str:flow_id>/status/", views.flows_status, name="flows-status"),
    path("<str:flow_id>/tool/", views.flows_tool, name="flows-tool"),
    path("<str:flow_id>/assistants/", views.flows_assistants, name="flows-assistants"),
    path("<str:flow_id>/trigger/", views.flows_trigger, name="flows-trigger"),
    path("<str:flow_id>/steps/add/<str:kind>/", views.flow_steps_create, name="flow-steps-create"),
    path("<str:flow_id>/steps/<str:step_name>/edit/", views.flow_steps_update, name="flow-steps-update"),
    path("<str:flow_id>/steps/<str:step_name>/delete/", views.flow_steps_delete, name="flow-steps-delete"),
]
