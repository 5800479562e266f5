"""The demo Knowledge Hub: a folder of product documents with a subfolder."""

from __future__ import annotations

import shutil
from pathlib import Path

from ... import db
from ...config import Config
from .file_store import insert_file, stored_path
from .folder_store import folder_insert
from .text import extract_text, mime_type

SEED_DIR = Path(__file__).resolve().parent / "seed_files"
SEED_FOLDER = "Product Documentation"
SEED_SUBFOLDER = "Policies"
SEED_FILES = {
    SEED_FOLDER: ["pricing.md", "shipping-faq.md"],
    SEED_SUBFOLDER: ["returns-policy.md", "warranty.txt"],
}


def seed(config: Config) -> None:
    """The "Product Documentation" folder, a "Policies" subfolder and four documents."""
    org = config.organization_id
    exists = (
        db.conn()
        .execute(
            "SELECT 1 FROM kh_folders WHERE organization_id = ? AND name = ? AND parent_folder_id = 'root'",
            (org, SEED_FOLDER),
        )
        .fetchone()
    )
    if exists:
        return
    top = folder_insert(
        {
            "name": SEED_FOLDER,
            "organization_id": org,
            "parent_folder_id": "root",
            "source_type": "upload",
            "description": "Pricing, shipping, returns and warranty: what the support assistant answers from.",
            "tags": ["docs", "support"],
        }
    )
    sub = folder_insert(
        {"name": SEED_SUBFOLDER, "organization_id": org, "parent_folder_id": top["id"], "source_type": "upload"}
    )
    directory = config.files_dir / "knowledge"
    directory.mkdir(parents=True, exist_ok=True)
    uploader = db.dumps({"display_name": "Local Admin", "email": config.user_email})
    for folder in (top, sub):
        for name in SEED_FILES[folder["name"]]:
            source = SEED_DIR / name
            file_id = insert_file(
                org=org,
                folder_id=folder["id"],
                name=name,
                file_type=mime_type(name, ""),
                size=source.stat().st_size,
                fields={"last_updated_by": uploader},
            )
            shutil.copyfile(source, stored_path(config, file_id))
            db.conn().execute(
                "UPDATE kh_files SET text_content = ? WHERE id = ?", (extract_text(source, name), file_id)
            )
