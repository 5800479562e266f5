"""CSV import into an existing board, done by the console one item at a time.

The gateway's own import wants a file URL it downloads itself, which a console
upload does not have; so the upload is kept in a private temporary directory
(one CSV and one JSON state file per import, named by an unguessable token and
bound to the user and board), checked against the board's fields, and imported
in small steps so the page can show progress and a failure never loses work.
All functions here touch the disk: call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.datastructures import MultiValueDict

from .fieldtypes import Field
from .forms import ItemForm, field_key

IMPORT_DIR = Path(tempfile.gettempdir()) / "imbrace-console-imports"
MAX_BYTES = 20 * 1024 * 1024
MAX_AGE_SECONDS = 24 * 3600
PREVIEW_ROWS = 5
STEP_ROWS = 50
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_TRUE = {"true", "yes", "y", "1", "checked", "x", "✓"}
_FALSE = {"false", "no", "n", "0", "not checked", ""}


class ImportFileError(ValueError):
    """The upload cannot be used; the message says why."""


@dataclass
class ImportState:
    token: str
    board_id: str
    user_id: int
    filename: str
    columns: list[str]
    total_rows: int
    mapping: dict[str, str] = field(default_factory=dict)  # column index (as text) -> field id
    offset: int = 0
    created: int = 0
    failures: list[list] = field(default_factory=list)  # [row number, message]
    started: bool = False

    @property
    def done(self) -> bool:
        return self.started and self.offset >= self.total_rows

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(self.offset * 100 / self.total_rows)


def _paths(token: str) -> tuple[Path, Path]:
    return IMPORT_DIR / f"{token}.csv", IMPORT_DIR / f"{token}.json"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    """The separator the header uses most, as the service guesses it."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def parse_csv(text: str) -> list[list[str]]:
    """Rows of trimmed cells, empty lines skipped; the first row is the header."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first))
    return [[cell.strip() for cell in row] for row in reader if any(cell.strip() for cell in row)]


def _sweep() -> None:
    """Forget imports nobody finished within a day."""
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in IMPORT_DIR.glob("*.*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def import_save_upload(*, chunks: Iterable[bytes], filename: str, board_id: str, user_id: int) -> ImportState:
    """Store an uploaded CSV and its first state; raises ImportFileError for an unusable file."""
    IMPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    _sweep()
    if not filename.lower().endswith((".csv", ".txt", ".tsv")):
        raise ImportFileError("Choose a .csv file.")
    token = secrets.token_urlsafe(24)
    csv_path, _ = _paths(token)
    size = 0
    with csv_path.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                handle.close()
                csv_path.unlink(missing_ok=True)
                raise ImportFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            handle.write(chunk)
    rows = parse_csv(_decode(csv_path.read_bytes()))
    if len(rows) < 2:
        csv_path.unlink(missing_ok=True)
        raise ImportFileError("The file has no rows under its header line.")
    columns = [name or f"Column {index + 1}" for index, name in enumerate(rows[0])]
    state = ImportState(token, board_id, user_id, Path(filename).name, columns, len(rows) - 1)
    import_save_state(state)
    return state


def import_save_state(state: ImportState) -> None:
    _, state_path = _paths(state.token)
    state_path.write_text(json.dumps(asdict(state)))


def import_load_state(*, token: str, board_id: str, user_id: int) -> ImportState | None:
    """The import ``token`` names, if it exists and belongs to this user and board."""
    if not _TOKEN.match(token):
        return None
    _, state_path = _paths(token)
    try:
        state = ImportState(**json.loads(state_path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if state.board_id != board_id or state.user_id != user_id:
        return None
    return state


def import_rows(state: ImportState) -> list[list[str]]:
    """The data rows (header left out)."""
    csv_path, _ = _paths(state.token)
    return parse_csv(_decode(csv_path.read_bytes()))[1:]


def import_discard(state: ImportState) -> None:
    for path in _paths(state.token):
        path.unlink(missing_ok=True)


def auto_mapping(columns: list[str], fields: list[Field]) -> dict[str, str]:
    """Columns whose header names a field (any case) map to it."""
    by_name = {f.name.strip().lower(): f.id for f in fields if f.editable}
    mapping = {}
    for index, column in enumerate(columns):
        field_id = by_name.get(column.strip().lower())
        if field_id and field_id not in mapping.values():
            mapping[str(index)] = field_id
    return mapping


def mapping_problems(mapping: dict[str, str], fields: list[Field]) -> list[str]:
    mapped = list(mapping.values())
    problems = [
        f"The identifier field '{f.name}' must be mapped to a column."
        for f in fields
        if f.identifier and f.id not in mapped
    ]
    by_id = {f.id: f for f in fields}
    for field_id in sorted({m for m in mapped if mapped.count(m) > 1}):
        problems.append(f"Two columns are mapped to '{by_id[field_id].name}'.")
    if not mapped:
        problems.append("Map at least one column to a field.")
    return problems


def _form_data(row: list[str], mapping: dict[str, str], by_id: dict[str, Field]) -> MultiValueDict:
    data = MultiValueDict()
    for column, field_id in mapping.items():
        index = int(column)
        cell = row[index] if index < len(row) else ""
        board_field = by_id[field_id]
        key = field_key(board_field)
        if board_field.type == "Checkbox":
            lowered = cell.strip().lower()
            if lowered in _TRUE:
                data[key] = "on"
            elif lowered not in _FALSE:
                data[key] = cell  # not a yes/no: left for the error message below
            continue
        if board_field.type == "MultipleSelection":
            labels = {o.label.lower(): o.label for o in board_field.options}
            parts = [p.strip() for p in re.split(r"[,;]", cell) if p.strip()]
            data.setlist(key, [labels.get(p.lower(), p) for p in parts])
            continue
        if board_field.has_options:
            labels = {o.label.lower(): o.label for o in board_field.options}
            cell = labels.get(cell.lower(), cell)
        data[key] = cell
    return data


def validate_row(row: list[str], mapping: dict[str, str], fields: list[Field]) -> tuple[dict[str, Any], str]:
    """``(values, "")`` for a row the board should accept, else ``({}, reason)``."""
    by_id = {f.id: f for f in fields}
    mapped = [by_id[field_id] for field_id in mapping.values() if field_id in by_id]
    data = _form_data(row, mapping, by_id)
    order = {f.id: index for index, f in enumerate(mapped)}
    reasons: list[tuple[int, str]] = []
    for board_field in mapped:
        raw = data.get(field_key(board_field))
        if board_field.type == "Checkbox" and raw not in (None, "on"):
            reasons.append((order[board_field.id], f"{board_field.name}: '{raw}' is not yes or no."))
    form = ItemForm(data, board_fields=[f for f in mapped if f.type != "Checkbox" or not reasons])
    if not form.is_valid():
        for board_field, bound in form.bound_pairs():
            if bound.errors:
                reasons.append((order[board_field.id], f"{board_field.name}: {' '.join(bound.errors)}"))
    if reasons:
        return {}, " ".join(text for _, text in sorted(reasons))
    return form.values(), ""


@dataclass
class ImportPlan:
    will_create: int
    failures: list[tuple[int, str]]

    @property
    def will_fail(self) -> int:
        return len(self.failures)


def import_plan(rows: list[list[str]], mapping: dict[str, str], fields: list[Field]) -> ImportPlan:
    """What an import would do, checked here (the gateway may still refuse values already on the board)."""
    failures: list[tuple[int, str]] = []
    seen: dict[str, dict[str, int]] = {f.id: {} for f in fields if f.unique}
    ok = 0
    for number, row in enumerate(rows, start=2):
        values, reason = validate_row(row, mapping, fields)
        if not reason:
            reason = _duplicate(values, seen, fields, number)
        if reason:
            failures.append((number, reason))
        else:
            ok += 1
    return ImportPlan(will_create=ok, failures=failures)


def _duplicate(values: dict[str, Any], seen: dict[str, dict[str, int]], fields: list[Field], number: int) -> str:
    for board_field in fields:
        if board_field.id not in seen or values.get(board_field.id) in (None, ""):
            continue
        key = str(values[board_field.id]).strip().lower()
        if key in seen[board_field.id]:
            first = seen[board_field.id][key]
            return f"{board_field.name}: '{values[board_field.id]}' is also on row {first}; it must be unique."
        seen[board_field.id][key] = number
    return ""
