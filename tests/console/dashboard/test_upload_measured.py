"""An upload through the console is measured with its size and time (the dashboard's Needs attention and the
knowledge area's numbers), against the local gateway."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.ops import aggregates
from tests.chat_helpers import make_folder

pytestmark = pytest.mark.django_db


def upload_rows() -> list[aggregates.Sums]:
    with aggregates._lock:
        return [sums for (_, kind, _, _), sums in aggregates._buffer.items() if kind == "upload"]


def test_an_upload_is_measured_with_its_bytes_and_time(console_client, gw):
    folder_id = make_folder(gw, {})
    with aggregates._lock:
        aggregates._buffer.clear()
    body = b"measured\n" * 1000
    upload = SimpleUploadedFile(f"measured-{uuid.uuid4().hex[:6]}.txt", body, content_type="text/plain")
    response = console_client.as_role("Support").post(
        reverse("knowledge-file-upload", kwargs={"folder_id": folder_id}),
        {"file": upload},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201, response.content
    rows = upload_rows()
    assert rows, "no upload measured"
    minute = rows[0]  # the minute's row (its hour's row holds the same)
    assert minute.values["count"] == 1
    assert minute.values["size"] >= len(body)
    assert minute.values["total_ms"] > 0 and minute.max_ms == minute.values["total_ms"]
