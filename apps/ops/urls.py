from django.urls import path

from . import doctor_views, views

urlpatterns = [
    path("healthz", views.healthz, name="ops-healthz"),
    path("readyz", views.readyz, name="ops-readyz"),
    path("metrics", views.metrics, name="ops-metrics"),
    path("gateway-check/", doctor_views.gateway_check, name="ops-gateway-check"),
]
