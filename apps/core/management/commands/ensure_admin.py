"""Create the console user ``admin`` (Admin role) when there is none."""

from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from apps.core.roles import Role


class Command(BaseCommand):
    help = "Create the admin user if missing; password from CONSOLE_ADMIN_PASSWORD, else a random one printed once."

    def handle(self, *args, **options) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username="admin").exists():
            self.stdout.write("Console user 'admin' already exists.")
            return
        password = os.environ.get("CONSOLE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user = user_model.objects.create_user("admin", password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=Role.ADMIN.group_name))
        if os.environ.get("CONSOLE_ADMIN_PASSWORD"):
            self.stdout.write(self.style.SUCCESS("Created console user 'admin' with CONSOLE_ADMIN_PASSWORD."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Created console user 'admin' with password: {password}"))
            self.stdout.write("This password is shown only once; change it after logging in.")
