"""Load the documented fault script, as ``ncp-fake-server --faults`` does."""

from pathlib import Path

from harness.fake import FaultScript


def test_fault_file_loads() -> None:
    script = FaultScript.from_file(Path(__file__).with_name("fake_faults.json"))
    assert [fault.kind for fault in script.faults] == [
        "latency",
        "throttle",
        "error",
        "reset",
        "truncate",
    ]
    assert script.seed == 7
