"""Shared strategies for the bargaining tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the hand-written Genius files."""
    return DATA


@st.composite
def utility_matrices(draw: st.DrawFn, parties: int = 2, max_outcomes: int = 60) -> np.ndarray:
    """Random (parties, outcomes) utility matrices with deliberate ties (values on a grid)."""
    n = draw(st.integers(1, max_outcomes))
    grid = draw(st.integers(2, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return rng.integers(0, grid, size=(parties, n)) / (grid - 1)
