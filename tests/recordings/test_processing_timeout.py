"""A tool that hangs (Debian's janus-pp-rec was seen to, once, waiting on a futex for good) is killed after its time
and tried once more; twice too long and the step fails with a message saying so, the row retried later."""

from __future__ import annotations

import time

import pytest

from recordings import processing

pytestmark = pytest.mark.unit


def test_a_tool_that_never_ends_is_killed_tried_again_then_the_step_fails():
    began = time.monotonic()
    with pytest.raises(processing.ProcessingError, match="did not finish in 0 s, twice"):
        processing._run(["sleep", "30"], "a hung step", timeout=0.3)
    assert time.monotonic() - began < 5  # killed twice, not waited for


def test_a_tool_that_hangs_once_succeeds_the_second_time(tmp_path):
    marker = tmp_path / "tried"
    # The first run leaves a marker and hangs; the second finds it and ends at once.
    script = f"if [ -e {marker} ]; then exit 0; fi; touch {marker}; sleep 30"
    processing._run(["sh", "-c", script], "hangs once", timeout=0.5)
    assert marker.exists()
