"""CSV import into an existing board: reading the file, mapping columns to fields, checking rows.

The gateway's own import wants a file URL it downloads itself, which a console upload does not
have; so the console keeps the upload (Django's default storage) on an import job in the database
(apps/boards/models.py), and a background task creates the items one by one through the services
layer (apps/boards/import_jobs.py). This module is the pure part: bytes in, rows, mappings and
reasons out. A file the csv module cannot read is an ImportFileError naming the line and why.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.datastructures import MultiValueDict

from .fieldtypes import Field
from .forms import ItemForm, field_key

MAX_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 5
_TRUE = {"true", "yes", "y", "1", "checked", "x", "✓"}
_FALSE = {"false", "no", "n", "0", "not checked", ""}
_SAVE_AS = "Save it as “CSV UTF-8” and upload it again."


class ImportFileError(ValueError):
    """The upload cannot be used; the message says why (and on which line, when there is one)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"Line {line}: {message}" if line else message)
        self.line = line


@dataclass
class ParsedCsv:
    columns: list[str]
    rows: list[list[str]]  # data rows (header left out), trimmed, empty ones skipped
    lines: list[int]  # the file line each row starts on
    encoding: str


def _line_of(raw: bytes, position: int) -> int:
    return raw.count(b"\n", 0, position) + 1


def decode(raw: bytes) -> tuple[str, str]:
    """``(text, encoding name)``: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252.

    A file that is UTF-8 up to a broken byte, or that no encoding here reads, is refused with
    the line of the first bad byte rather than imported as mojibake.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file is not valid UTF-16 text. {_SAVE_AS}") from exc
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ImportFileError(
            f"the file holds a NUL byte, so it is not CSV text (a spreadsheet or other binary file, "
            f"or UTF-16 without its byte-order mark). {_SAVE_AS}",
            _line_of(raw, nul),
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
        if any(byte >= 0x80 for byte in raw[:bad]):
            # Valid UTF-8 letters before the bad byte: a damaged UTF-8 file, not a Windows one.
            raise ImportFileError(
                f"byte 0x{raw[bad]:02X} is not valid UTF-8 text. {_SAVE_AS}", _line_of(raw, bad)
            ) from exc
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"byte 0x{raw[exc.start]:02X} is neither UTF-8 nor Windows-1252 text. {_SAVE_AS}",
            _line_of(raw, exc.start),
        ) from exc


def _delimiter(header_line: str) -> str:
    """The separator the header uses most, as the service guesses it."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _reason(error: csv.Error, delimiter: str) -> str:
    """The csv module's complaint in the user's words."""
    text = str(error)
    if "new-line character seen in unquoted field" in text:
        return "a line break inside a value that is not in double quotes. Put the value in double quotes."
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return (
            f"a value is longer than {limit:,} characters ({limit // 1024} KiB), the most a cell may hold. "
            "A double quote that is never closed makes the rest of the file one value."
        )
    if "unexpected end of data" in text:
        return "a value in double quotes is never closed: the file ends inside it."
    if "expected after" in text:
        name = {"\t": "tab"}.get(delimiter, f"'{delimiter}'")
        return f'a closing double quote is followed by text instead of a {name}. Write a quote inside a value as "".'
    return f"the CSV reader stopped: {text}."


def read_csv(raw: bytes) -> ParsedCsv:
    """The header and rows of an uploaded file; raises ImportFileError saying where and why it is unreadable."""
    text, encoding = decode(raw)
    text = text.lstrip("\ufeff")
    # Classic Mac files end lines with CR alone; elsewhere a lone CR is a line break inside a value.
    text = text.replace("\r", "\n") if "\n" not in text else text.replace("\r\n", "\n")
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if any(cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        line = start if "unexpected end of data" in str(exc) else reader.line_num or start
        raise ImportFileError(_reason(exc, delimiter), line) from exc
    if len(records) < 2:
        raise ImportFileError("The file has no rows under its header line.")
    columns = [name or f"Column {index + 1}" for index, name in enumerate(records[0][1])]
    return ParsedCsv(columns, [r for _, r in records[1:]], [n for n, _ in records[1:]], encoding)


def parse_csv(text: str) -> list[list[str]]:
    """Rows of trimmed cells, empty lines skipped; the first row is the header."""
    parsed = read_csv(text.encode())
    return [parsed.columns, *parsed.rows]


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
    if any(field_id not in by_id for field_id in mapped):
        problems.append("A column is mapped to a field the board no longer has. Check the mapping again.")
    for field_id in sorted({m for m in mapped if mapped.count(m) > 1 and m in by_id}):
        problems.append(f"Two columns are mapped to '{by_id[field_id].name}'.")
    if not mapped:
        problems.append("Map at least one column to a field.")
    return problems


def _form_data(row: list[str], mapping: dict[str, str], by_id: dict[str, Field]) -> MultiValueDict:
    data = MultiValueDict()
    for column, field_id in mapping.items():
        if field_id not in by_id:
            continue
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


def import_plan(
    rows: list[list[str]], mapping: dict[str, str], fields: list[Field], lines: list[int] | None = None
) -> ImportPlan:
    """What an import would do, checked here (the gateway may still refuse values already on the board).

    Failures are ``(line, reason)``; ``lines`` gives each row's line in the file (else row + 2).
    """
    failures: list[tuple[int, str]] = []
    seen: dict[str, dict[str, int]] = {f.id: {} for f in fields if f.unique}
    ok = 0
    numbers = lines if lines is not None else range(2, len(rows) + 2)
    for number, row in zip(numbers, rows, strict=True):
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


def carry_mapping(
    old_columns: list[str], mapping: dict[str, str], new_columns: list[str], fields: list[Field]
) -> dict[str, str]:
    """The mapping of a previous file applied to a corrected one: by column name, then by field name."""
    where = {name.strip().lower(): index for index, name in reversed(list(enumerate(new_columns)))}
    carried: dict[str, str] = {}
    for column, field_id in mapping.items():
        index = int(column)
        if index < len(old_columns) and (new := where.get(old_columns[index].strip().lower())) is not None:
            carried.setdefault(str(new), field_id)
    for column, field_id in auto_mapping(new_columns, fields).items():
        if column not in carried and field_id not in carried.values():
            carried[column] = field_id
    return carried
