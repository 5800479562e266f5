from django.urls import include, path

urlpatterns = [
    path("", include("apps.ops.urls")),
    path("", include("apps.core.urls")),
    path("", include("apps.dashboard.urls")),
    path("assistants/", include("apps.assistants.urls")),
    path("flows/", include("apps.flows.urls")),
    path("knowledge/", include("apps.knowledge.urls")),
    path("boards/", include("apps.boards.urls")),
    path("audit/", include("apps.audit.urls")),
    path("", include("apps.accounts.urls")),
]

# A lost database answers 503 "back in a moment" rather than 500 (imbrace_console/database).
handler500 = "imbrace_console.database.server_error"
