"""The local gateway's data-board routes against docs/contract/data-board.md."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def zod_issues(response) -> list[dict]:
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"]["name"] == "ZodError"
    assert isinstance(body["error"]["message"], str)
    return json.loads(body["error"]["message"])


@pytest.fixture
def board(gw) -> dict:
    """A board with one field of most types, created the way the console creates it."""
    fields = [
        {"name": "Name", "type": "ShortText", "isUniqueIdentifier": True},
        {"name": "Stage", "type": "SingleSelection", "data": [{"value": " Lead "}, {"value": "Won", "color": "#0a0"}]},
        {"name": "Tags", "type": "MultipleSelection", "data": [{"value": "vip"}, {"value": "partner"}]},
        {"name": "Amount", "type": "Number"},
        {"name": "Email", "type": "Email"},
        {"name": "Close", "type": "Date"},
        {"name": "Won", "type": "Checkbox"},
        {"name": "Site", "type": "Link"},
        {"name": "Phone", "type": "Phone"},
        {"name": "Notes", "type": "Notes"},
        {"name": "Score", "type": "Rating"},
        {"name": "Country", "type": "Country"},
        {"name": "Budget", "type": "Currency", "settings": {"default_currency_code": "HKD"}},
    ]
    response = gw.post("/data-board/boards", json={"name": unique("Leads"), "fields": fields})
    assert response.status_code == 201
    return response.json()["data"]


def field_ids(board: dict) -> dict[str, str]:
    return {field["name"]: field["id"] for field in board["fields"]}


def create_item(gw, board: dict, **values) -> dict:
    ids = field_ids(board)
    response = gw.post(
        f"/data-board/boards/{board['id']}/items", json={"fields": {ids[k]: v for k, v in values.items()}}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


# --- boards ---------------------------------------------------------------------------------


def test_board_create_returns_201_with_both_ids_and_the_identifier_flags(gw, board):
    assert board["_id"] == board["id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", board["id"])
    assert board["type"] == "General"
    assert board["hidden"] is False
    assert board["team_ids"] == [] and board["managers"] == []
    assert "description" not in board
    assert "created_by" not in board
    assert board["created_at"].endswith("Z") and board["updated_at"].endswith("Z")
    name = board["fields"][0]
    assert name["isUniqueIdentifier"] is True and name["isIdentifier"] is True
    assert name["_id"] == name["id"]
    stage = board["fields"][1]
    assert stage["isIdentifier"] is False
    assert [o["value"] for o in stage["data"]] == ["Lead", "Won"]
    assert all(o["id"] == o["_id"] and len(o["id"]) == 36 for o in stage["data"])


def test_board_without_fields_has_none(gw):
    body = gw.post("/data-board/boards", json={"name": unique("Empty")}).json()["data"]
    assert body["fields"] == []


def test_board_create_validation_is_a_zod_400_with_a_json_string(gw):
    issues = zod_issues(gw.post("/data-board/boards", json={}))
    assert issues[0]["path"] == ["name"]
    assert issues[0]["code"] == "invalid_type"
    assert issues[0]["message"] == "Invalid input: expected string, received undefined"
    issues = zod_issues(
        gw.post("/data-board/boards", json={"name": "x", "fields": [{"name": "A", "type": "Dropdown"}]})
    )
    assert issues[0]["path"] == ["fields", 0, "type"]
    assert issues[0]["code"] == "invalid_value"


def test_board_name_of_spaces_and_duplicate_field_names_are_400(gw):
    assert gw.post("/data-board/boards", json={"name": "   "}).json() == {"error": "Board name is required"}
    fields = [{"name": "A", "type": "ShortText"}, {"name": "a", "type": "Number"}]
    response = gw.post("/data-board/boards", json={"name": "x", "fields": fields})
    assert response.status_code == 400
    assert "already exists" in response.json()["error"]


def test_json_body_without_json_content_type_is_treated_as_empty(gw):
    response = gw.post("/data-board/boards", content=b'{"name": "x"}', headers={"content-type": "text/plain"})
    assert response.status_code == 400
    assert zod_issues(response)[0]["path"] == ["name"]


def test_malformed_json_is_a_500(gw):
    response = gw.post("/data-board/boards", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": {"message": "Internal server error"}}


def test_board_list_count_is_the_page_length_and_total_the_total(gw, board):
    body = gw.get("/data-board/boards", params={"limit": 1}).json()
    assert body["count"] == 1 and len(body["data"]) == 1
    assert body["total"] >= 1
    found = gw.get("/data-board/boards", params={"search": board["name"].upper()}).json()
    assert [b["id"] for b in found["data"]] == [board["id"]]
    assert found["data"][0]["items_count"] == 0
    assert gw.get("/data-board/boards", params={"limit": "nope"}).status_code == 200


def test_board_get_update_delete_and_404(gw, board):
    path = f"/data-board/boards/{board['id']}"
    assert gw.get(path).json()["data"]["name"] == board["name"]
    updated = gw.patch(path, json={"name": "Renamed", "description": "Deals", "fields": []}).json()["data"]
    assert updated["name"] == "Renamed" and updated["description"] == "Deals"
    assert len(updated["fields"]) == len(board["fields"]), "fields are ignored by the update"
    assert gw.put(path, json={"name": " "}).json() == {"error": "Board name cannot be empty"}
    assert gw.delete(path).json() == {"message": "Board deleted successfully"}
    missing = gw.get(path)
    assert missing.status_code == 404
    assert missing.json() == {"error": f"Board {board['id']} not found"}


def test_health_needs_credentials(gw, localgateway):
    import httpx

    assert gw.get("/data-board/health").json()["status"] == "ok"
    assert httpx.get(f"{localgateway.base_url}/data-board/health").status_code == 401


def test_v1_alias_serves_the_same_boards(gw, board):
    assert gw.get(f"/v1/data-board/boards/{board['id']}").json()["data"]["id"] == board["id"]


# --- fields ---------------------------------------------------------------------------------


def test_field_create_returns_the_whole_board_with_the_new_field_last(gw, board):
    response = gw.post(
        f"/data-board/boards/{board['id']}/fields",
        json={"name": "Priority", "type": "SingleSelection", "data": [{"value": "High"}], "isIdentifier": True},
    )
    assert response.status_code == 201
    fields = response.json()["data"]["fields"]
    new = fields[-1]
    assert new["name"] == "Priority"
    assert new["isIdentifier"] is False, "isIdentifier is stripped on this route"
    assert new["order"] == len(fields) - 1
    assert new["data"][0]["id"]


def test_field_errors(gw, board):
    path = f"/data-board/boards/{board['id']}/fields"
    assert gw.post(path, json={"name": "name", "type": "ShortText"}).json() == {
        "error": "Field with name 'name' already exists"
    }
    assert gw.post(path, json={"name": "Code", "type": "ShortText", "isUniqueIdentifier": True}).json() == {
        "error": "Board already has a unique identifier field"
    }
    assert zod_issues(gw.post(path, json={"name": "X", "type": "Dropdown"}))[0]["path"] == ["type"]
    assert gw.post("/data-board/boards/nope/fields", json={"name": "X", "type": "Number"}).status_code == 404


def test_field_update_get_reorder_and_delete(gw, board):
    ids = field_ids(board)
    base = f"/data-board/boards/{board['id']}/fields"
    updated = gw.patch(f"{base}/{ids['Stage']}", json={"name": "Status", "data": [{"value": "Open"}]}).json()
    status = next(f for f in updated["data"]["fields"] if f["id"] == ids["Stage"])
    assert status["name"] == "Status" and [o["value"] for o in status["data"]] == ["Open"]
    assert gw.get(f"{base}/{ids['Stage']}").json()["data"]["name"] == "Status"
    assert gw.patch(f"{base}/{ids['Stage']}", json={"name": "Email"}).status_code == 400
    assert gw.patch(f"{base}/nope", json={"name": "Y"}).json() == {"error": "Field nope not found in board"}

    reordered = gw.post(f"{base}/reorder", json={"fieldIds": [ids["Amount"], ids["Name"]]}).json()["data"]
    assert [f["name"] for f in reordered["fields"]][:3] == ["Amount", "Name", "Status"]
    assert [f["order"] for f in reordered["fields"]] == list(range(len(reordered["fields"])))
    bad = gw.post(f"{base}/reorder", json={"fieldIds": ["nope"]})
    assert bad.status_code == 400 and bad.json() == {"error": "Invalid field IDs: nope"}

    after = gw.delete(f"{base}/{ids['Amount']}").json()["data"]
    assert "Amount" not in [f["name"] for f in after["fields"]]


def test_unique_identifier_set_by_update_gives_409(gw, board):
    base = f"/data-board/boards/{board['id']}"
    ids = field_ids(board)
    gw.patch(f"{base}/fields/{ids['Email']}", json={"isUniqueIdentifier": True})
    response = gw.post(f"{base}/items", json={"fields": {ids["Name"]: "A", ids["Email"]: "x@y.co"}})
    assert response.status_code == 201
    clash = gw.post(f"{base}/items", json={"fields": {ids["Name"]: "B", ids["Email"]: "X@Y.co"}})
    assert clash.status_code == 409
    assert clash.json() == {"error": "Value 'x@y.co' already exists for unique field 'Email'"}


# --- items ----------------------------------------------------------------------------------


def test_item_create_normalises_values_by_type(gw, board):
    ids = field_ids(board)
    stage_won = board["fields"][1]["data"][1]["id"]
    item = create_item(
        gw,
        board,
        Name="  Acme <script>alert(1)</script>Corp ",
        Stage=stage_won,
        Tags=["vip", "partner"],
        Amount="1200.5abc",
        Email=" Jane@Acme.Example ",
        Close="2026-05-01",
        Won="true",
        Site=" https://acme.example ",
        Phone="+852 1234-5678",
        Notes="",
        Score=4,
        Country="HK",
        Budget=1200,
    )
    assert item["_id"] == item["id"] == item["board_item_id"]
    assert item["board_id"] == board["id"]
    assert item["created_type"] == "manual"
    values = item["fields"]
    assert values[ids["Name"]] == "Acme Corp"
    assert values[ids["Stage"]] == "Won", "selection ids read back as labels"
    assert values[ids["Tags"]] == ["vip", "partner"]
    assert values[ids["Amount"]] == 1200.5
    assert values[ids["Email"]] == "jane@acme.example"
    assert values[ids["Close"]] == "2026-05-01T00:00:00.000Z"
    assert values[ids["Won"]] is True
    assert values[ids["Site"]] == "https://acme.example"
    assert values[ids["Phone"]] == "+85212345678"
    assert values[ids["Notes"]] is None
    assert values[ids["Score"]] == 4
    assert values[ids["Country"]] == {"country_code": "HK", "country_name": "Hong Kong"}
    assert values[ids["Budget"]] == {"amounts": 1200, "currency_code": "HKD"}
    assert "created_by" not in item and "related_board_item_id" not in item


def test_item_create_array_shape_and_errors(gw, board):
    ids = field_ids(board)
    base = f"/data-board/boards/{board['id']}/items"
    response = gw.post(base, json={"fields": [{"board_field_id": ids["Name"], "value": "Beta"}], "created_type": "api"})
    assert response.status_code == 201
    assert response.json()["data"]["created_type"] == "api"
    assert gw.post(base, json={"fields": {ids["Amount"]: 3}}).json() == {"error": "Field 'Name' is required"}
    assert gw.post(base, json={"fields": {ids["Name"]: "C", ids["Stage"]: "Nope"}}).json() == {
        "error": "Field 'Stage': Invalid option selected"
    }
    assert gw.post(base, json={"fields": {ids["Name"]: "C", ids["Tags"]: "vip"}}).json() == {
        "error": "Field 'Tags': Invalid options selected"
    }
    bad_date = gw.post(base, json={"fields": {ids["Name"]: "D", ids["Close"]: "someday"}})
    assert bad_date.status_code == 500
    assert bad_date.json() == {"error": "Failed to create board item", "message": "Invalid time value"}
    assert zod_issues(gw.post(base, json={}))[0]["path"] == ["fields"]
    duplicate = gw.post(base, json={"fields": {ids["Name"]: "Beta"}})
    assert duplicate.status_code == 409
    assert duplicate.json() == {"error": "Value 'Beta' already exists for unique field 'Name'"}
    missing = gw.post("/data-board/boards/nope/items", json={"fields": {}})
    assert missing.status_code == 404 and missing.json() == {"error": "Board nope not found"}


def test_item_list_pages_with_total_in_count_and_flattened_rows(gw, board):
    ids = field_ids(board)
    for index in range(5):
        create_item(gw, board, Name=f"Row {index}", Amount=index)
    base = f"/data-board/boards/{board['id']}/items"
    body = gw.get(base, params={"limit": 2, "skip": 1}).json()
    assert body["count"] == 5 and body["skip"] == 1 and body["limit"] == 2 and body["totalPages"] == 3
    assert [row["fields"][ids["Name"]] for row in body["data"]] == ["Row 3", "Row 2"]
    assert body["data"][0][ids["Amount"]] == 3, "field values are copied to the top level"
    ascending = gw.get(base, params={"sort": f"fields.{ids['Amount']}", "limit": 0}).json()
    assert [row[ids["Amount"]] for row in ascending["data"]] == [0, 1, 2, 3, 4]
    assert zod_issues(gw.get(base, params={"limit": 1001}))[0]["code"] == "too_big"
    assert gw.get(base, params={"filter": "{}"}).status_code == 400
    assert gw.get("/data-board/boards/nope/items").json()["data"] == []


def test_item_get_update_both_shapes_and_delete(gw, board):
    ids = field_ids(board)
    item = create_item(gw, board, Name="Gamma", Amount=1)
    path = f"/data-board/boards/{board['id']}/items/{item['id']}"
    assert gw.get(path).json()["data"]["fields"][ids["Name"]] == "Gamma"
    updated = gw.patch(path, json={"fields": {ids["Amount"]: "7"}, "data": [{"key": ids["Won"], "value": True}]})
    values = updated.json()["data"]["fields"]
    assert values[ids["Amount"]] == 7 and values[ids["Won"]] is True and values[ids["Name"]] == "Gamma"
    assert (
        gw.put(path, json={"data": [{"key": ids["Amount"], "value": 9}]}).json()["data"]["fields"][ids["Amount"]] == 9
    )
    assert zod_issues(gw.patch(path, json={"fields": []}))[0]["path"] == ["fields"]
    assert gw.delete(path).json() == {"message": "Board item deleted successfully"}
    gone = gw.get(path)
    assert gone.status_code == 404 and gone.json() == {"error": f"Board item {item['id']} not found"}


def test_update_to_a_taken_unique_value_is_409(gw, board):
    ids = field_ids(board)
    create_item(gw, board, Name="One")
    two = create_item(gw, board, Name="Two")
    response = gw.patch(f"/data-board/boards/{board['id']}/items/{two['id']}", json={"fields": {ids["Name"]: "One"}})
    assert response.status_code == 409


def test_bulk_delete_accepts_every_id_spelling_and_is_all_or_nothing(gw, board):
    items = [create_item(gw, board, Name=f"Bulk {i}") for i in range(5)]
    base = f"/data-board/boards/{board['id']}/items/bulk-delete"
    missing = gw.request("DELETE", base, params={"ids": f"{items[0]['id']},nope"})
    assert missing.status_code == 404
    assert gw.get(f"/data-board/boards/{board['id']}/items").json()["count"] == 5
    assert gw.request("DELETE", base, params=[("ids[]", items[0]["id"]), ("ids[]", items[1]["id"])]).json() == {
        "message": "2 items deleted",
        "count": 2,
    }
    assert gw.request("DELETE", base, params={"ids": items[2]["id"]}).json()["count"] == 1
    assert gw.request("DELETE", base, json={"ids": [items[3]["id"]]}).json()["count"] == 1
    assert gw.request("DELETE", base).json() == {"error": "At least one ID is required (query ?ids[]=... or JSON body)"}


def test_bulk_create_and_count(gw, board):
    ids = field_ids(board)
    body = {"items": [{"fields": {ids["Name"]: f"B{i}"}} for i in range(3)]}
    response = gw.post(f"/data-board/boards/{board['id']}/items/bulk", json=body)
    assert response.status_code == 201 and response.json()["count"] == 3
    assert gw.get(f"/data-board/boards/{board['id']}/items/count").json() == {"count": 3}


# --- search ---------------------------------------------------------------------------------


def test_search_matches_whole_stemmed_words_all_of_them(gw, board):
    create_item(gw, board, Name="Acme Shipping Companies", Email="ops@acme.example")
    create_item(gw, board, Name="Acme Foods")
    create_item(gw, board, Name="Hello World")
    path = f"/data-board/search/{board['id']}"

    def names(q: str) -> list[str]:
        body = gw.post(path, json={"q": q}).json()
        assert body["success"] is True
        return sorted(hit["fields"][field_ids(board)["Name"]] for hit in body["message"]["hits"])

    assert names("acme") == ["Acme Foods", "Acme Shipping Companies"]
    assert names("acme company") == ["Acme Shipping Companies"], "stemming, and every word must match"
    assert names("hel") == [], "no prefix matching"
    assert names("the hello") == ["Hello World"], "stop words are ignored"
    assert names("acme world") == []


def test_search_response_shape_and_paging(gw, board):
    for index in range(3):
        create_item(gw, board, Name=f"Delta {index}")
    body = gw.post(f"/data-board/search/{board['id']}", json={"q": "delta", "limit": 2, "offset": 1}).json()
    message = body["message"]
    assert message["query"] == "delta" and message["limit"] == 2 and message["offset"] == 1
    assert message["estimatedTotalHits"] == 3
    assert len(message["hits"]) == 2
    hit = message["hits"][0]
    assert "_id" not in hit and hit["id"]
    assert hit["board_id"] == board["id"]
    assert hit["created_by"] is None and hit["logo_url"] is None
    assert isinstance(message["processingTimeMs"], int)


def test_search_without_q_lists_newest_first_and_raw_values(gw, board):
    ids = field_ids(board)
    won = board["fields"][1]["data"][1]["id"]
    create_item(gw, board, Name="First", Stage=won)
    create_item(gw, board, Name="Second")
    hits = gw.post(f"/data-board/search/{board['id']}", json={}).json()["message"]["hits"]
    assert [h["fields"][ids["Name"]] for h in hits] == ["Second", "First"]
    assert hits[1]["fields"][ids["Stage"]] == won, "hits are raw rows: no label resolution"
    asc = gw.post(f"/data-board/search/{board['id']}", json={"sort": [f"fields.{ids['Name']}:asc"]}).json()
    assert [h["fields"][ids["Name"]] for h in asc["message"]["hits"]] == ["First", "Second"]
    filtered = gw.post(f"/data-board/search/{board['id']}", json={"filter": f"fields.{ids['Name']} = 'First'"})
    assert [h["fields"][ids["Name"]] for h in filtered.json()["message"]["hits"]] == ["First"]


def test_search_fetch_and_multi(gw, board):
    ids = field_ids(board)
    create_item(gw, board, Name="Kilo One", Amount=5)
    create_item(gw, board, Name="Kilo Two", Amount=50)
    fetched = gw.post(
        f"/data-board/search/{board['id']}/fetch", json={"filter": f"fields.{ids['Amount']} > 10", "limit": 10}
    ).json()["message"]
    assert fetched["total"] == 1 and fetched["results"][0]["fields"][ids["Name"]] == "Kilo Two"
    assert zod_issues(gw.post(f"/data-board/search/{board['id']}/fetch", json={"limit": 1001}))[0]["code"] == "too_big"
    multi = gw.post("/data-board/search/multi", json={"queries": [{"indexUid": board["id"], "q": "kilo"}]}).json()
    result = multi["message"]["results"][0]
    assert result["indexUid"] == board["id"] and result["estimatedTotalHits"] == 2
    bad_filter = gw.post(f"/data-board/search/{board['id']}", json={"filter": "whatever ~ 1"})
    assert bad_filter.status_code == 500
    assert bad_filter.json()["message"] == "Search service error"


def test_search_validation_and_unknown_board(gw, board):
    path = f"/data-board/search/{board['id']}"
    assert zod_issues(gw.post(path, json={"limit": 0}))[0]["code"] == "too_small"
    assert zod_issues(gw.post(path, json={"sort": "created_at:desc"}))[0]["path"] == ["sort"]
    empty = gw.post("/data-board/search/nope", json={"q": "x"})
    assert empty.status_code == 200 and empty.json()["message"]["hits"] == []


# --- CSV export -----------------------------------------------------------------------------


def test_export_csv_format(gw, board):
    won = board["fields"][1]["data"][1]["id"]
    create_item(gw, board, Name='Say "hi"', Stage="Won", Tags=["vip", "partner"], Won=False, Close="2026-05-01")
    create_item(gw, board, Name="Plain", Stage=won, Won=True, Budget=1200, Notes="secret", Phone="85212345678")
    response = gw.get(f"/data-board/boards/{board['id']}/export_csv", params={"all": "true"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert unquote(disposition.split("''", 1)[1]) == f"{board['name']}_{today}_for-all_by-creation.csv"
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff") and not text.endswith("\n")
    lines = text.split("\n")
    names = [f["name"] for f in board["fields"]]
    assert lines[0] == ",".join(f'"{n}"' for n in [*names, "Record Created On", "Lasted Updated On"])
    plain = lines[1].split('","')
    assert plain[0] == '"Plain'
    assert plain[1] == won, "SingleSelection is written as stored"
    assert plain[names.index("Won")] == "Checked"
    assert plain[names.index("Notes")] == "(the field format is not supported in export)"
    assert plain[names.index("Budget")] == "HKD 1,200"
    assert plain[names.index("Phone")] == "+85212345678"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}\"?", plain[-1])
    quoted = lines[2]
    assert quoted.startswith('"Say ""hi""","Won","vip, partner"')
    assert '"05/01/2026"' in quoted and '"Not checked"' in quoted


def test_export_defaults_to_the_last_month(gw, board):
    create_item(gw, board, Name="Fresh")
    response = gw.get(f"/data-board/boards/{board['id']}/export_csv")
    start = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y%m")
    filename = unquote(response.headers["content-disposition"].split("''", 1)[1])
    assert re.fullmatch(rf"{re.escape(board['name'])}_\d{{8}}_for-{start}\d\d-\d{{8}}_by-creation\.csv", filename)
    assert len(response.text.split("\n")) == 2
    old = gw.get(
        f"/data-board/boards/{board['id']}/export_csv", params={"start_date": "2020-01-01", "end_date": "2020-02-01"}
    )
    assert old.text.count("\n") == 0, "only the header: nothing was created in 2020"
    assert "for-20200101-20200201" in unquote(old.headers["content-disposition"])


def test_export_unknown_board_is_404(gw):
    response = gw.get("/data-board/boards/nope/export_csv")
    assert response.status_code == 404 and response.json() == {"error": "Board nope not found"}


# --- interfaces for other domains -----------------------------------------------------------


def test_board_item_create_and_texts_run_inside_the_gateway(tmp_path, monkeypatch):
    """The in-process interfaces, on a private database (no HTTP involved)."""
    from localgateway import app as gateway
    from localgateway import db
    from localgateway.config import load
    from localgateway.domains import boards

    monkeypatch.setenv("LOCALGATEWAY_DATA_DIR", str(tmp_path))
    config = load()
    gateway.open_database(config)
    boards.seed(config)
    board = db.conn().execute("SELECT id FROM boards WHERE name = 'Sales Pipeline'").fetchone()
    item = boards.board_item_create(config.organization_id, board["id"], {"Name": "Zeta", "Stage": "Won"})
    assert item["fields"] and item["created_type"] == "automation"
    with pytest.raises(ValueError, match="Field 'Name' is required"):
        boards.board_item_create(config.organization_id, board["id"], {"Amount": 5})
    with pytest.raises(ValueError, match="Invalid option"):
        boards.board_item_create(config.organization_id, board["id"], {"Name": "Eta", "Stage": "Maybe"})
    texts = boards.board_item_texts(config.organization_id, [board["id"]])
    assert len(texts) == 26
    label, text = next(t for t in texts if t[0].endswith("/ Zeta"))
    assert label == "Sales Pipeline / Zeta"
    assert "Name: Zeta." in text and "Stage: Won." in text
    acme = next(t for t in texts if t[0] == "Sales Pipeline / Acme Corp")[1]
    assert "Stage: Qualified." in acme and "Amount: 48000." in acme


def test_migrated_snake_case_identifier_is_required(tmp_path, monkeypatch):
    """A board migrated from Mongo spells the flag ``is_identifier``; it is honoured all the same."""
    from localgateway import app as gateway
    from localgateway import db
    from localgateway.config import load
    from localgateway.domains import boards

    monkeypatch.setenv("LOCALGATEWAY_DATA_DIR", str(tmp_path))
    config = load()
    gateway.open_database(config)
    fields = [{"_id": "6694aaa932801761f155b140", "name": "Title", "type": "ShortText", "is_identifier": True}]
    now = db.now_iso()
    db.conn().execute(
        "INSERT INTO boards (id, organization_id, name, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        ("brd_legacy", config.organization_id, "Legacy", json.dumps(fields), now, now),
    )
    with pytest.raises(ValueError, match="Field 'Title' is required"):
        boards.board_item_create(config.organization_id, "brd_legacy", {})
    item = boards.board_item_create(config.organization_id, "brd_legacy", {"6694aaa932801761f155b140": "Hi"})
    assert item["fields"] == {"6694aaa932801761f155b140": "Hi"}
