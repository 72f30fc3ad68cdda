"""The model seam and its stand-ins: OpenAI-compatible, deterministic, replay, recording.

``OpenAICompatibleClient`` lives in :mod:`negotiator.llm.openai_client`, the one module that
imports the ``openai`` SDK; it is resolved here on first use, so importing this package (and
every numeric mechanism) never loads the SDK.
"""

import importlib
from typing import TYPE_CHECKING

from negotiator.llm.canonical import canonical_request, request_key
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.dialects import llama_cpp_schema
from negotiator.llm.modes import STRUCTURED_MODES, StructuredMode, get_mode
from negotiator.llm.prompts import PromptTemplate, available_prompts, load_prompt, render_prompt
from negotiator.llm.protocol import (
    ChatMessage,
    ModelClient,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
)
from negotiator.llm.recording import RecordingClient
from negotiator.llm.replay import RecordedTurn, ReplayClient
from negotiator.llm.retry import RetryPolicy
from negotiator.llm.schema import strict_wire_schema, unbounded_strings, validate_answer
from negotiator.llm.sync import SyncClient

if TYPE_CHECKING:
    from negotiator.llm.openai_client import OpenAICompatibleClient

__all__ = [
    "STRUCTURED_MODES",
    "ChatMessage",
    "DeterministicClient",
    "ModelClient",
    "ModelResult",
    "OpenAICompatibleClient",
    "PromptTemplate",
    "RecordedTurn",
    "RecordingClient",
    "ReplayClient",
    "ResultSource",
    "RetryPolicy",
    "StructuredCall",
    "StructuredMode",
    "SyncClient",
    "TextCall",
    "TokenUsage",
    "available_prompts",
    "canonical_request",
    "get_mode",
    "llama_cpp_schema",
    "load_prompt",
    "render_prompt",
    "request_key",
    "strict_wire_schema",
    "unbounded_strings",
    "validate_answer",
]


def __getattr__(name: str) -> object:
    """``OpenAICompatibleClient``, imported (with the SDK) on first use."""
    if name != "OpenAICompatibleClient":
        raise AttributeError(f"module 'negotiator.llm' has no attribute {name!r}")
    return importlib.import_module("negotiator.llm.openai_client").OpenAICompatibleClient
