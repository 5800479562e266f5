"""What the chat responder calls in-process: the text of a folder's files."""

from __future__ import annotations

from ... import db
from .folder_store import descendant_ids, folder_row


def folder_passages(organization_id: str, folder_ids: list[str]) -> list[tuple[str, str]]:
    """(file name, extracted text) of every text-bearing file in the folders, subfolders included."""
    roots = [fid for fid in folder_ids if folder_row(fid, organization_id) is not None]
    ids = descendant_ids(roots)
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = (
        db.conn()
        .execute(
            f"""SELECT name, text_content FROM kh_files
            WHERE organization_id = ? AND folder_id IN ({marks}) AND text_content IS NOT NULL
            ORDER BY name, id""",  # noqa: S608
            [organization_id, *ids],
        )
        .fetchall()
    )
    return [(row["name"], row["text_content"]) for row in rows]
