from django.urls import path

from . import views

urlpatterns = [
    path("users/", views.users_list, name="users-list"),
    path("users/new/", views.users_create, name="users-create"),
    path("users/<int:user_id>/", views.users_detail, name="users-detail"),
    path("users/<int:user_id>/role/", views.users_role_update, name="users-role-update"),
    path("users/<int:user_id>/deactivate/", views.users_deactivate, name="users-deactivate"),
    path("users/<int:user_id>/activate/", views.users_activate, name="users-activate"),
    path("users/<int:user_id>/password/", views.users_password_reset, name="users-password-reset"),
    path("account/password/", views.password_change, name="password-change"),
]
