"""The upload helpers: limits, and the file shapes handed to httpx."""

from __future__ import annotations

import tempfile

from apps.knowledge.uploads import READ_SIZE, FileBody, UploadLimits


def test_file_body_reads_in_large_steps():
    with tempfile.TemporaryFile() as handle:
        handle.write(b"y" * (2 * READ_SIZE))
        handle.seek(0)
        body = FileBody(handle)
        assert len(body.read(64 * 1024)) == READ_SIZE
        assert body.tell() == READ_SIZE
        body.seek(0)
        assert len(body.read()) == 2 * READ_SIZE


def test_limits_from_settings(settings):
    settings.KNOWLEDGE_UPLOAD_MAX_BYTES = 1000
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["PDF", ".md"]
    limits = UploadLimits.from_settings()
    assert limits.accept == ".md,.pdf"
    assert limits.type_allowed("Guide.PDF") and not limits.type_allowed("guide.exe")
    assert not limits.type_allowed("README")
    assert limits.type_message("run.exe") == ".exe files are not accepted. Allowed: md, pdf."
    settings.KNOWLEDGE_UPLOAD_ALLOWED_EXTENSIONS = ["*"]
    anything = UploadLimits.from_settings()
    assert anything.any_type and anything.accept == "" and anything.type_allowed("data.bin")
