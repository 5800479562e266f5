"""The console's own deploy check, for what Django's security checks let pass.

Django's checks (run with the console's middleware recognised:
``imbrace_console.fastpath.checks``) refuse an invalid
``SECURE_CROSS_ORIGIN_OPENER_POLICY`` but accept none at all. The console's
production settings send ``same-origin``; switching it off is flagged here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

W001 = Warning(
    "SECURE_CROSS_ORIGIN_OPENER_POLICY is off: pages may share a browsing context group with other sites' "
    "windows. Set it to 'same-origin'.",
    id="core.W001",
)


@register(Tags.security, deploy=True)
def check_cross_origin_opener_policy_set(app_configs, **kwargs) -> list[Warning]:
    return [] if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY else [W001]
