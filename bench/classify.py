"""Benchmark 6: posts classified per second, in-process on one core, over the labelled
posts of tests/data/categories.jsonl."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.categories import classify

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "categories.jsonl"


def run(seconds: float) -> tuple[int, float]:
    """Returns (posts classified, seconds taken)."""
    texts = [json.loads(line)["text"] for line in DATA.read_text().splitlines() if line.strip()]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for text in texts:
            classify(text)
        done += len(texts)
    return done, time.perf_counter() - start
