"""How well and how fast `bot.negativity.judge` reads the labelled comments of tests/data.

`python -m bench.negativity` prints accuracy, and precision and recall of "negative", for the
tuning part, the held-out part and both, per language, then the comments judged per CPU second.
`--mistakes` also lists the tuning comments it gets wrong (never the held-out ones: rules are
not tuned on them).
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.negativity import judge

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
PARTS = {"tuning": DATA / "negativity_tuning.tsv", "held-out": DATA / "negativity_holdout.tsv"}
LABELS = ("negative", "not_negative")
LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Comment:
    negative: bool
    language: str
    text: str
    part: str


def load(part: str) -> list[Comment]:
    with PARTS[part].open(encoding="utf-8", newline="") as rows:
        return [
            Comment(row["label"] == "negative", row["language"], row["text"], part)
            for row in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]


@dataclass(frozen=True)
class Figures:
    total: int
    correct: int
    true_negative_hits: int  # negative, judged negative
    judged_negative: int
    labelled_negative: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    @property
    def precision(self) -> float:
        return self.true_negative_hits / self.judged_negative if self.judged_negative else 1.0

    @property
    def recall(self) -> float:
        return self.true_negative_hits / self.labelled_negative if self.labelled_negative else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<18} {self.accuracy:6.1%} of {self.total:3}   negative: precision "
            f"{self.precision:6.1%}  recall {self.recall:6.1%}"
        )


def figures(comments: list[Comment]) -> Figures:
    judged = [judge(comment.text, language=comment.language).negative for comment in comments]
    return Figures(
        total=len(comments),
        correct=sum(got == comment.negative for got, comment in zip(judged, comments, strict=True)),
        true_negative_hits=sum(
            got and comment.negative for got, comment in zip(judged, comments, strict=True)
        ),
        judged_negative=sum(judged),
        labelled_negative=sum(comment.negative for comment in comments),
    )


def report(show_mistakes: bool) -> None:
    parts = {part: load(part) for part in PARTS}
    parts["all"] = [comment for comments in parts.values() for comment in comments]
    for part, comments in parts.items():
        print(figures(comments).line(part))
        for language in LANGUAGES:
            in_language = [comment for comment in comments if comment.language == language]
            print(figures(in_language).line(f"  {part} {language}"))
    if show_mistakes:
        for comment in parts["tuning"]:
            verdict = judge(comment.text, language=comment.language)
            if verdict.negative != comment.negative:
                label = LABELS[not comment.negative]
                print(f"WRONG {label:<12} {verdict.score:+.2f} {verdict.reason:<40} {comment.text}")
    # CPU time, not wall time: the figure should not depend on how busy the machine is.
    texts = [comment.text for comment in parts["all"]]
    rounds, start = 0, time.process_time()
    while time.process_time() - start < 1.0:
        for text in texts:
            judge(text)
        rounds += 1
    speed = rounds * len(texts) / (time.process_time() - start)
    print(f"speed: {speed:,.0f} comments per CPU second")


if __name__ == "__main__":
    report("--mistakes" in sys.argv[1:])
