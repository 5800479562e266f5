"""The local gateway's credential check, against the contract's bodies and order."""

from __future__ import annotations

import httpx
import pytest


def get(localgateway, path: str, **headers) -> httpx.Response:
    return httpx.get(f"{localgateway.base_url}{path}", headers=headers)


def test_no_credentials_is_401_with_the_gateway_body(localgateway):
    response = get(localgateway, "/platform/v1/account")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized - API key or Access Token required"}


def test_full_access_api_key_reaches_the_account(localgateway):
    response = get(localgateway, "/platform/v1/account", **{"x-api-key": localgateway.api_key})
    assert response.status_code == 200
    assert response.json()["organization_id"].startswith("org_")


def test_invalid_api_key_is_401_with_request_id(localgateway):
    body = get(localgateway, "/", **{"x-api-key": "api_wrong"}).json()
    assert body["error"] == "Unauthorized"
    assert body["message"] == "Invalid API key"
    assert len(body["request_id"]) == 36


def test_api_key_wins_over_other_headers(localgateway):
    response = get(localgateway, "/", **{"x-api-key": "api_wrong", "x-access-token": localgateway.access_token()})
    assert response.status_code == 401


def test_issued_access_token_authenticates_and_unknown_one_does_not(localgateway):
    token = localgateway.access_token()
    assert token.startswith("acc_")
    assert get(localgateway, "/platform/v1/account", **{"x-access-token": token}).status_code == 200
    response = get(localgateway, "/platform/v1/account", **{"x-access-token": "acc_unknown"})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_jwt_with_its_organization(localgateway):
    token = localgateway.jwt()
    org = get(localgateway, "/platform/v1/account", **{"x-api-key": localgateway.api_key}).json()["organization_id"]
    response = get(localgateway, "/platform/v1/account", authorization=f"Bearer {token}", **{"x-organization-id": org})
    assert response.status_code == 200
    assert response.json()["organization_id"] == org


def test_jwt_for_another_organization_is_400(localgateway):
    token = localgateway.jwt(organizations=["org_someone_else"])
    response = get(localgateway, "/", authorization=f"Bearer {token}", **{"x-organization-id": "org_imbrace_local"})
    assert response.status_code == 400
    assert response.json() == {"message": "Bad Request - organization_id not found in user organizations"}


def test_tampered_jwt_is_401(localgateway):
    head, body, _ = localgateway.jwt().split(".")
    response = get(localgateway, "/", authorization=f"Bearer {head}.{body}.AAAA", **{"x-organization-id": "org_x"})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized - Invalid JWT"}


def test_bearer_without_organization_falls_through_to_401(localgateway):
    response = get(localgateway, "/", authorization=f"Bearer {localgateway.jwt()}")
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize(
    ("path", "status"),
    [("/data-board/boards", None), ("/data-board/folders", 403), ("/v3/ai/accounts/assistants", 403)],
)
def test_scoped_key_only_reaches_board_paths(localgateway, path, status):
    response = get(localgateway, path, **{"x-api-key": "api_scoped_local_board_only"})
    if status is None:
        assert response.status_code not in (401, 403)
    else:
        assert response.status_code == status
        assert response.json()["message"].startswith("Invalid API path:")


def test_fault_rules_fire_the_given_number_of_times(gateway_faults, gw):
    gateway_faults.add_fault(path="/platform/v1/account", kind="status", status=503, times=1)
    assert gw.get("/platform/v1/account").status_code == 503
    assert gw.get("/platform/v1/account").status_code == 200


def test_rate_limit_fault_sends_retry_after(gateway_faults, gw):
    gateway_faults.add_fault(path="/platform/", kind="rate_limit", retry_after=7, times=1)
    response = gw.get("/platform/v1/account")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


def test_malformed_fault_sends_broken_json(gateway_faults, gw):
    gateway_faults.add_fault(path="/platform/", kind="malformed", times=1)
    response = gw.get("/platform/v1/account")
    with pytest.raises(ValueError):
        response.json()


def test_reset_fault_drops_the_connection(gateway_faults, gw):
    gateway_faults.add_fault(path="/platform/", kind="reset", times=1)
    with pytest.raises(httpx.TransportError):
        gw.get("/platform/v1/account")


def test_unknown_fault_kind_is_refused(localgateway):
    response = httpx.post(f"{localgateway.base_url}/_local/faults", json={"path": "/", "kind": "explode"})
    assert response.status_code == 400


def test_request_log_records_methods_and_paths(gateway_faults, gw):
    httpx.delete(f"{gateway_faults.base_url}/_local/requests")
    gw.get("/platform/v1/account")
    assert {"method": "GET", "path": "/platform/v1/account", "query": ""} in gateway_faults.requests_seen()
