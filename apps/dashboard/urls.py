from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/cards/<slug:card>/", views.dashboard_card, name="dashboard-card"),
]
