"""The official imbrace SDK (PyPI) against the local gateway: health and account."""

from __future__ import annotations

import pytest
from imbrace import ImbraceClient
from imbrace.exceptions import AuthError

pytestmark = pytest.mark.sdk


def test_health_with_an_api_key(localgateway):
    client = ImbraceClient(api_key=localgateway.api_key, base_url=localgateway.base_url)
    assert client.health.check()["status"] == "ok"


def test_health_with_an_access_token(localgateway):
    client = ImbraceClient(access_token=localgateway.access_token(), base_url=localgateway.base_url)
    assert client.health.check()["status"] == "ok"


def test_account_gives_the_organization(localgateway):
    client = ImbraceClient(api_key=localgateway.api_key, base_url=localgateway.base_url)
    assert client.account.get().organization_id == "org_imbrace_local"


def test_jwt_mode_reaches_the_account(localgateway):
    client = ImbraceClient(
        access_token=localgateway.jwt(), organization_id="org_imbrace_local", base_url=localgateway.base_url
    )
    assert client.account.get().organization_id == "org_imbrace_local"


def test_bad_key_is_an_auth_error(localgateway):
    client = ImbraceClient(api_key="api_wrong", base_url=localgateway.base_url)
    with pytest.raises(AuthError):
        client.health.check()
