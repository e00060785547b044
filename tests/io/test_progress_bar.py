"""The progress bar stays quiet without a terminal."""

from __future__ import annotations

import pytest

from cxpipeline import io


def test_progress_is_quiet_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with io.progress("reading", 10) as advance:
        advance(5)
    assert capsys.readouterr().out == ""
