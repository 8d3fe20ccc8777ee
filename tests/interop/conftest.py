"""PACT is served over HTTPS only: the host's links and event sources carry an https base."""

from __future__ import annotations

import pytest

from battrace.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": "https://testserver"})
