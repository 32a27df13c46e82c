"""The matplotlib figure every chart is drawn on, and its PNG.

Agg's canvas, not pyplot: no display, and no global figure state shared between the worker
threads that draw. Blocking: call the drawing code in a worker thread. matplotlib is
imported on first use, so a bot that draws no chart never pays for loading it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SIZE = (8, 3.6)
DPI = 100


def figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawn = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(drawn)
    return drawn


def png(drawn: Figure) -> bytes:
    drawn.tight_layout()
    out = io.BytesIO()
    drawn.savefig(out, format="png")
    return out.getvalue()
