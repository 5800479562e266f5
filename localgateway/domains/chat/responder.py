"""The deterministic responder: passages from the assistant's folders and boards, a bound flow as a tool."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field

from ...config import Config
from .schema import (
    FAILED_TOOL_OUTPUT,
    FOLLOW_UP_WORDS,
    GREETINGS,
    MAX_ANSWER_PASSAGES,
    MAX_PASSAGE_CHARS,
    NO_CONTENT_OUTPUT,
)
from .text import _words, keywords, rank_passages, split_passages

# --- the responder ---------------------------------------------------------------------------------------------


@dataclass
class ToolCall:
    tool_call_id: str
    tool_name: str
    flow_name: str
    input: dict
    output: object = None


@dataclass
class Reply:
    text: str
    tool: ToolCall | None = None
    flow: dict | None = field(default=None, repr=False)


def _corpus(organization_id: str, assistant: dict) -> list[tuple[str, str]]:
    from .. import boards, knowledge

    passages: list[tuple[str, str]] = []
    folder_ids = [str(value) for value in assistant.get("folder_ids") or []]
    board_ids = [str(value) for value in assistant.get("board_ids") or []]
    if folder_ids:
        for name, text in knowledge.folder_passages(organization_id, folder_ids):
            passages.extend(split_passages(name, text))
    if board_ids:
        for label, text in boards.board_item_texts(organization_id, board_ids):
            passages.append((label, " ".join(text.split())[: MAX_PASSAGE_CHARS * 2]))
    return passages


def _bound_flow(organization_id: str, assistant: dict, question: str) -> dict | None:
    """The bound flow whose description the question asks for (most shared keywords), if any."""
    flow_ids = [str(value) for value in assistant.get("workflow_function_call") or [] if isinstance(value, str)]
    if not flow_ids:
        return None
    from .. import flows

    asked = set(keywords(question))
    lowered = question.lower()
    best, best_overlap = None, 0
    for tool in flows.flow_tools(organization_id, flow_ids):
        described = set(keywords(tool.get("description") or tool.get("name") or ""))
        overlap = len(asked & described)
        named = (tool.get("name") or "").lower() in lowered or (tool.get("tool_name") or "").lower() in lowered
        if (named or overlap >= min(2, len(described))) and overlap + (2 if named else 0) > best_overlap:
            best, best_overlap = tool, overlap + (2 if named else 0)
    return best


def _knowledge_answer(organization_id: str, assistant: dict, question: str, history: list[dict]) -> str:
    name = assistant.get("name") or "This assistant"
    words = set(_words(question))
    asked = keywords(question)
    if not asked and words & GREETINGS:
        return f"Hello! I am {name}. Ask me anything about the knowledge folders and boards I can read."
    passages = _corpus(organization_id, assistant)
    if not passages:
        return (
            f"{name} has no knowledge folders or boards with readable content attached, "
            "so I have nothing to answer from yet."
        )
    previous_question = next((turn["text"] for turn in reversed(history) if turn["role"] == "user"), "")
    previous_answer = next((turn["text"] for turn in reversed(history) if turn["role"] == "assistant"), "")
    follow_up = bool(previous_question) and (bool(words & FOLLOW_UP_WORDS) or len(asked) < 2)
    query = dict.fromkeys(asked, 1.0)
    if follow_up:
        for word in keywords(previous_question):
            query[word] = max(query.get(word, 0.0), 0.8)
    ranked = rank_passages(passages, query)
    topic = ", ".join(asked or keywords(previous_question)) or question.strip()
    if follow_up and ranked:
        fresh = [row for row in ranked if row[2] not in previous_answer]
        if not fresh:
            return f"I have nothing more about **{topic}** beyond what I already told you."
        ranked = fresh
    if not ranked:
        return (
            f"I could not find anything about **{topic}** in the knowledge folders and boards attached to {name}. "
            "Try other words, or attach the folder or board that covers it."
        )
    # The close runners-up, one passage per source: the rest of a source is kept for "tell me more".
    best = ranked[0][0]
    chosen, sources_used = [], set()
    for row in ranked:
        if row[0] >= best * 0.5 and row[1] not in sources_used and len(chosen) < MAX_ANSWER_PASSAGES:
            chosen.append(row)
            sources_used.add(row[1])
    intro = f"Here is more about **{topic}**:" if follow_up else f"Here is what I found about **{topic}**:"
    blocks = [intro]
    for _score, source, text in chosen:
        blocks.append(f"**{source}**\n{text}")
    sources = ", ".join(dict.fromkeys(source for _score, source, _text in chosen))
    blocks.append(f"_Sources: {sources}_")
    return "\n\n".join(blocks)


def _tool_output_text(output: object) -> str:
    if isinstance(output, str):
        return output
    return "```json\n" + json.dumps(output, indent=2, ensure_ascii=False) + "\n```"


def compose(organization_id: str, assistant: dict, question: str, history: list[dict], chat_id: str) -> Reply:
    flow = _bound_flow(organization_id, assistant, question)
    if flow is None:
        return Reply(_knowledge_answer(organization_id, assistant, question, history))
    tool = ToolCall(
        tool_call_id="call_" + secrets.token_hex(8),
        tool_name=flow.get("tool_name") or re.sub(r"[^A-Za-z0-9]", "_", flow.get("name") or "flow"),
        flow_name=flow.get("name") or "flow",
        input={"query": question, "chat_id": chat_id, "board_ids": list(assistant.get("board_ids") or [])},
    )
    return Reply("", tool=tool, flow=flow)


async def run_tool(organization_id: str, reply: Reply) -> None:
    """Call the flow's sync webhook as ai-agent's workflow tool does and fill in the reply around its output."""
    from .. import flows

    tool = reply.tool
    assert tool is not None and reply.flow is not None
    try:
        status, body = await flows.flow_run_sync(organization_id, reply.flow["id"], {**tool.input, "method": "POST"})
    except Exception:  # a broken flow must not break the chat: the real tool reports a plain string
        status, body = 500, None
    if 200 <= status < 300:
        tool.output = NO_CONTENT_OUTPUT if body in (None, "", {}) else body
    else:
        tool.output = FAILED_TOOL_OUTPUT
    if tool.output == FAILED_TOOL_OUTPUT:
        reply.text = f"I tried to run the **{tool.flow_name}** flow, but it failed: {FAILED_TOOL_OUTPUT}."
    else:
        reply.text = f"I ran the **{tool.flow_name}** flow. It returned:\n\n{_tool_output_text(tool.output)}"


def word_delay(config: Config, assistant: dict) -> float:
    """The pace of the stream: the config's, or the assistant's ``metadata.word_delay_ms`` (a local-only knob)."""
    metadata = assistant.get("metadata") if isinstance(assistant.get("metadata"), dict) else {}
    value = metadata.get("word_delay_ms")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 5000:
        return value / 1000
    return config.chat_word_delay
