"""The results table, the machine it ran on, and bench/results.md."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    commit = _git("rev-parse", "--short", "HEAD")
    if _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    load = os.getloadavg()
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load average at start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


@dataclass
class Row:
    benchmark: str
    measure: str
    target: str
    values: dict[str, str] = field(default_factory=dict)
    met: dict[str, bool] = field(default_factory=dict)


@dataclass
class Table:
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    def add(
        self,
        benchmark: str,
        measure: str,
        column: str,
        value: str,
        *,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        row = next((r for r in self.rows if (r.benchmark, r.measure) == (benchmark, measure)), None)
        if row is None:
            row = Row(benchmark, measure, target)
            self.rows.append(row)
        row.values[column] = value
        if met is not None:
            row.met[column] = met

    def markdown(self) -> str:
        header = ["benchmark", "measure", *self.columns, "target"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            cells = [row.benchmark, row.measure]
            for column in self.columns:
                value = row.values.get(column, "")
                if column in row.met:
                    value += " ✅" if row.met[column] else " ❌"
                cells.append(value)
            cells.append(row.target)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def document(table: Table, info: dict[str, str], mode: str, notes: list[str]) -> str:
    machine_lines = "\n".join(f"- {key}: {value}" for key, value in info.items())
    note_lines = "\n".join(f"- {note}" for note in notes)
    return (
        f"# Benchmark results ({mode})\n\n"
        "Written by `make bench` (bench/run.py); ✅ target met, ❌ missed.\n\n"
        f"{machine_lines}\n\n{table.markdown()}\n\n{note_lines}\n"
    )
