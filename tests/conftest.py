"""Shared fixtures: one pipeline per test session (building it is the slow part)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp_backend():
    from pipeline.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def nlp(nlp_backend):
    return nlp_backend[0]
