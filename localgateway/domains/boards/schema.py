"""data-board's tables and the fixed lists the service validates against (docs/contract/data-board.md#fields)."""

from __future__ import annotations

import re

SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    business_unit_id TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL DEFAULT 'General',
    sort_order INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    fields TEXT NOT NULL DEFAULT '[]',
    managers TEXT NOT NULL DEFAULT '[]',
    show_id INTEGER NOT NULL DEFAULT 0,
    is_child_table INTEGER NOT NULL DEFAULT 0,
    category_id TEXT,
    journey TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS boards_org_order ON boards (organization_id, sort_order, created_at);
CREATE TABLE IF NOT EXISTS board_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    board_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    business_unit_id TEXT NOT NULL DEFAULT '',
    created_type TEXT NOT NULL DEFAULT 'manual',
    created_by TEXT,
    related_board_item_id TEXT,
    fields TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS board_items_board_created ON board_items (board_id, created_at, seq);
CREATE INDEX IF NOT EXISTS board_items_board_updated ON board_items (board_id, updated_at, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS board_items_fts USING fts5(body, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS board_item_unique (
    board_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    value TEXT NOT NULL,
    item_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS board_item_unique_value ON board_item_unique (board_id, field_id, value);
CREATE INDEX IF NOT EXISTS board_item_unique_item ON board_item_unique (item_seq);
"""

BOARD_TYPES = [
    "Contacts",
    "Companies",
    "Opportunities",
    "OptOut",
    "Tasks",
    "System",
    "General",
    "KnowledgeHub",
    "DocumentAI",
]
FIELD_TYPES = [
    "ShortText",
    "LongText",
    "Number",
    "Email",
    "Phone",
    "Date",
    "Datetime",
    "Time",
    "SingleSelection",
    "MultipleSelection",
    "Assignee",
    "MultipleAssignee",
    "Priority",
    "Currency",
    "Link",
    "Attachment",
    "Notes",
    "Country",
    "Origin",
    "MapToBoard",
    "TableInTable",
    "Checkbox",
    "Formula",
    "Rating",
]
OPTION_TYPES = {"SingleSelection", "MultipleSelection", "Priority", "MapToBoard", "TableInTable"}
CREATED_TYPES = ["manual", "import", "api", "automation", "system"]
TIMESTAMP_HEADERS = ["Record Created On", "Lasted Updated On"]
NOTES_PLACEHOLDER = "(the field format is not supported in export)"
# Postgres' english configuration drops these words from both the document and the query.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    }
)
COUNTRIES = {
    "AE": "United Arab Emirates",
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CN": "China",
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "HK": "Hong Kong",
    "ID": "Indonesia",
    "IN": "India",
    "IT": "Italy",
    "JP": "Japan",
    "KR": "South Korea",
    "MO": "Macao",
    "MX": "Mexico",
    "MY": "Malaysia",
    "NL": "Netherlands",
    "NZ": "New Zealand",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "TW": "Taiwan",
    "US": "United States",
    "VN": "Vietnam",
}
SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
EVENT_ATTR = re.compile(r"\s+on\w+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)
