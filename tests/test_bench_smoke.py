"""The benchmark harness still runs end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_smoke_run_prints_every_benchmark(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--smoke",
            "--databases",
            "sqlite",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    table = output.read_text()
    for benchmark in (
        "1 ack latency",
        "2 alert intake",
        "3 storm",
        "4 reminders",
        "5 memory",
        "6 classification",
    ):
        assert f"| {benchmark} |" in table
    # One crisis for the storm and no reminder fired twice hold at any size.
    assert "| 3 storm | crises opened | 1 ✅ |" in table
    assert "duplicates | 0 ✅ |" in table
    # Both ways of sending are measured, and every command and click got its answer.
    answers = [line for line in table.splitlines() if "ephemeral answer" in line]
    assert len(answers) == 4, answers
    for model in ("each waiting for its answer", "each sending again on the acknowledgement"):
        assert sum(model in line for line in answers) == 2, answers
    assert all("(8/8)" in line for line in answers), answers
    # The harness finds the live summary's count in the bot's own wording.
    (summary,) = [line for line in table.splitlines() if "live summary counts every alert" in line]
    assert "after the last alert" in summary, summary
    assert "CPU:" in table and "commit:" in table
