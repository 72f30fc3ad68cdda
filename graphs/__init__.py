"""LangGraph state machines built from the negotiator library (import as ``negotiator.graphs``)."""
