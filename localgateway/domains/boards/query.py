"""``POST /search``'s query language over the FTS index: whole stemmed words and ``= != > >= < <=`` filters."""

from __future__ import annotations

import re
from typing import Any

from ... import db
from .item_store import hit_out, sort_clause
from .schema import STOP_WORDS, WORD

# --- Search ---------------------------------------------------------------------------------

_FILTER_CLAUSE = re.compile(
    r"\s*(fields_timestamp\.[\w-]+|fields\.[\w-]+|created_at|updated_at|id)\s*(=|!=|>=|<=|>|<)\s*"
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?|true|false)\s*",
    re.IGNORECASE,
)


def _filter_sql(text: str) -> tuple[str, list]:
    """A small subset of the Meilisearch-style filter: clauses joined with AND."""
    clauses, params = [], []
    for part in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE):
        match = _FILTER_CLAUSE.fullmatch(part)
        if match is None:
            raise ValueError(f"Unsupported filter expression: {part}")
        key, op, raw = match.groups()
        if raw[0] in "'\"":
            value: Any = raw[1:-1]
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            value = float(raw)
        if key.startswith("fields_timestamp."):
            column = f"CAST(strftime('%s', json_extract(fields, '$.\"{key[17:]}\"')) AS INTEGER) * 1000"
        elif key.startswith("fields."):
            column = f"json_extract(fields, '$.\"{key[7:]}\"')"
        elif key in ("created_at", "updated_at") and isinstance(value, float):
            column = f"CAST(strftime('%s', {key}) AS INTEGER) * 1000"
        else:
            column = key
        clauses.append(f"{column} {'!=' if op == '!=' else op} ?")
        params.append(int(value) if isinstance(value, bool) else value)
    return " AND ".join(clauses), params


def _fts_query(q: str) -> str | None:
    words = [w.lower() for w in WORD.findall(q)]
    words = [w for w in words if w not in STOP_WORDS]
    if not words:
        return None
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def search_items(
    organization_id: str, board_id: str, *, q: str = "", filter_text: str = "", sort: list[str], limit: int, offset: int
) -> tuple[list[dict], int]:
    """Hits and exact total for one board (data-board.md#search)."""
    conn = db.conn()
    where = ["i.board_id = ?", "i.organization_id = ?"]
    params: list[Any] = [board_id, organization_id]
    source, head, head_params = "board_items i", "", []
    ranked = False
    if q.strip():
        match = _fts_query(q)
        if match is None:
            return [], 0
        # The word index drives the query (CROSS JOIN keeps that order): probing it row by row is slow.
        head = (
            "WITH hits AS (SELECT rowid AS seq, bm25(board_items_fts) AS score "
            "FROM board_items_fts WHERE board_items_fts MATCH ?) "
        )
        head_params = [match]
        source = "hits CROSS JOIN board_items i ON i.seq = hits.seq"
        ranked = not sort
    if filter_text.strip():
        clause, extra = _filter_sql(filter_text)
        where.append(clause.replace("json_extract(fields", "json_extract(i.fields"))
        params.extend(extra)
    condition = " AND ".join(where)
    total = conn.execute(
        f"{head}SELECT COUNT(*) FROM {source} WHERE {condition}",  # noqa: S608
        [*head_params, *params],
    ).fetchone()[0]
    if ranked:
        order = "hits.score, i.created_at DESC"
    elif sort:
        order = sort_clause(",".join(("-" if s.endswith(":desc") else "") + s.rsplit(":", 1)[0] for s in sort))
    else:
        order = "i.created_at DESC, i.seq DESC"
    order = re.sub(r"(?<![\w.])(created_at|updated_at|seq)\b", r"i.\1", order).replace("(fields", "(i.fields")
    rows = conn.execute(
        f"{head}SELECT i.* FROM {source} WHERE {condition} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
        [*head_params, *params, limit, offset],
    ).fetchall()
    return [hit_out(row) for row in rows], total
