"""The benchmark harness still runs end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import re
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
    # The three ways of sending are measured, and every command and click got its answer.
    answers = [line for line in table.splitlines() if "ephemeral answer" in line]
    assert len(answers) == 6, answers
    for model in (
        "(each waiting for its answer)",
        "(each sending again on the acknowledgement)",
        "(each waiting for its answer, during a storm of comments)",
    ):
        assert sum(model in line for line in answers) == 2, answers
    assert all("(8/8)" in line for line in answers[:4]), answers
    storm_answers = [re.search(r"\((\d+)/(\d+)\)", line) for line in answers[4:]]
    assert all(m and m[1] == m[2] and int(m[1]) > 0 for m in storm_answers), answers
    # The storm alongside them lost nothing.
    alongside = [line for line in table.splitlines() if "the storm alongside" in line]
    assert len(alongside) == 2 and all("0 not accepted" in line for line in alongside), alongside
    # The harness finds the live summary's count in the bot's own wording.
    (summary,) = [line for line in table.splitlines() if "live summary counts every alert" in line]
    assert "after the last alert" in summary, summary
    assert "CPU:" in table and "commit:" in table
