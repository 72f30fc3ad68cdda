"""The model seam and its stand-ins: OpenAI-compatible, deterministic, replay, recording."""

from negotiator.llm.canonical import canonical_request, request_key
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.dialects import llama_cpp_schema
from negotiator.llm.modes import STRUCTURED_MODES, StructuredMode, get_mode
from negotiator.llm.openai_client import OpenAICompatibleClient
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
