"""The scorecard's charts as vector drawings (reportlab graphics): crisp at any zoom and in
print, text in the embedded CJK font. Same colours as the committee's scorecard page."""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import cjk_font

RED, AMBER, GREEN = HexColor("#b3261e"), HexColor("#d99a00"), HexColor("#2e7d32")
BLUE, GREY = HexColor("#3f6fb5"), HexColor("#8a8f98")
INK, MUTED, RULE = HexColor("#212529"), HexColor("#6c757d"), HexColor("#dee2e6")
BANDS = ((80, 100, HexColor("#e7f3e8")), (60, 80, HexColor("#fdf3d8")), (0, 60, HexColor("#fbe7e5")))

#: a category's label: one or two lines ("2026", "第 3 季度")
Label = Sequence[str]


class _Frame:
    """The plot area of a drawing and its scales."""

    def __init__(self, width: float, height: float, count: int, top: float, *, left: float = 34,
                 right: float = 8, bottom: float = 30, maximum: float = 100):
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = bottom, height - top
        self.slot = (self.x1 - self.x0) / max(count, 1)
        self.maximum = maximum

    def x(self, i: int) -> float:
        return self.x0 + (i + 0.5) * self.slot

    def y(self, value: float) -> float:
        return self.y0 + (self.y1 - self.y0) * value / self.maximum


def new_drawing(width: float, height: float) -> Drawing:
    """An empty drawing whose text starts in the embedded font (never the reader's Helvetica)."""
    made = Drawing(width, height)
    made.initialFontName, made.initialFontSize = cjk_font(), 8
    return made


def _text(drawing: Drawing, x: float, y: float, text: str, size: float = 8, colour: Color = INK,
          anchor: str = "middle") -> None:
    drawing.add(String(x, y, text, fontName=cjk_font(), fontSize=size, fillColor=colour, textAnchor=anchor))


def _axes(drawing: Drawing, frame: _Frame, labels: Sequence[Label], ticks: Sequence[float]) -> None:
    for tick in ticks:
        y = frame.y(tick)
        drawing.add(Line(frame.x0, y, frame.x1, y, strokeColor=RULE, strokeWidth=0.5))
        _text(drawing, frame.x0 - 4, y - 2.5, f"{tick:g}", 7, MUTED, "end")
    drawing.add(Line(frame.x0, frame.y0, frame.x1, frame.y0, strokeColor=MUTED, strokeWidth=0.8))
    for i, label in enumerate(labels):
        for n, line in enumerate(label[:2]):
            _text(drawing, frame.x(i), frame.y0 - 10 - 9 * n, line, 7.5, MUTED)


def _title(drawing: Drawing, title: str, height: float) -> None:
    _text(drawing, 0, height - 12, title, 10, INK, "start")


def score_trend(title: str, labels: Sequence[Label], scores: Sequence[int | None], *, width: float = 480,
                height: float = 190) -> Drawing:
    """The score of each quarter on 0-100, over the green (80+), amber (60+) and red bands."""
    drawing = new_drawing(width, height)
    _title(drawing, title, height)
    frame = _Frame(width, height, len(labels), 26)
    for low, high, colour in BANDS:
        drawing.add(Rect(frame.x0, frame.y(low), frame.x1 - frame.x0, frame.y(high) - frame.y(low),
                         fillColor=colour, strokeColor=None))
    _axes(drawing, frame, labels, range(0, 101, 20))
    run: list[float] = []
    for i, score in enumerate(list(scores) + [None]):
        if score is None:
            if len(run) >= 4:
                drawing.add(PolyLine(run, strokeColor=RED, strokeWidth=1.6))
            run = []
            continue
        run += [frame.x(i), frame.y(score)]
    for i, score in enumerate(scores):
        if score is None:
            _text(drawing, frame.x(i), frame.y0 + 4, "—", 8, MUTED)
            continue
        colour = GREEN if score >= 80 else AMBER if score >= 60 else RED
        drawing.add(Circle(frame.x(i), frame.y(score), 3.2, fillColor=colour, strokeColor=HexColor("#ffffff"),
                           strokeWidth=0.8))
        _text(drawing, frame.x(i), frame.y(score) + (7 if score < 92 else -12), str(score), 8, INK)
    return drawing


def _nice_maximum(value: float) -> tuple[float, float]:
    """A round top for the axis above `value`, and the step of its ticks."""
    if value <= 4:
        return 4, 1
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * 4 >= value:
            return step * 4, step
    return value, value / 4


def grouped_bars(title: str, labels: Sequence[Label], series: Sequence[tuple[str, Color, Sequence[int | None]]],
                 *, width: float = 480, height: float = 190) -> Drawing:
    """One group of bars per category (quarter), one bar per series, with a legend."""
    drawing = new_drawing(width, height)
    _title(drawing, title, height)
    font = cjk_font()
    x = width
    for name, colour, _values in reversed(series):  # the legend, right-aligned on the title's line
        x -= stringWidth(name, font, 7.5)
        _text(drawing, x, height - 11, name, 7.5, INK, "start")
        x -= 11
        drawing.add(Rect(x, height - 12, 8, 8, fillColor=colour, strokeColor=None))
        x -= 10
    peak = max((v for _n, _c, values in series for v in values if v is not None), default=0)
    top, step = _nice_maximum(peak)
    frame = _Frame(width, height, len(labels), 26, maximum=top)
    _axes(drawing, frame, labels, [step * n for n in range(5)])
    bar = min(frame.slot * 0.78 / max(len(series), 1), 22)
    for i in range(len(labels)):
        start = frame.x(i) - bar * len(series) / 2
        for n, (_name, colour, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            if value is None:
                continue
            left = start + n * bar
            drawing.add(Rect(left + 0.6, frame.y0, bar - 1.2, frame.y(value) - frame.y0, fillColor=colour,
                             strokeColor=None))
            if bar >= 9 and value:
                _text(drawing, left + bar / 2, frame.y(value) + 2.5, str(value), 6.5, INK)
    return drawing
