"""The CJK font the PDFs embed, so Chinese renders in any reader on any machine.

reportlab embeds TrueType outlines only: Debian's Noto Sans CJK (fonts-noto-cjk) is CFF,
which it refuses, so the font is, in this order:

1. the file `LIAISON_CJK_FONT` names (`path` or `path#index` for a collection), TrueType outlines;
2. WenQuanYi Micro Hei from the `paperang-p2-fonts-cjk` wheel, a dependency of the project
   (Apache-2.0; every CJK Unified Ideograph of the basic block, 20,932; ~5 MB installed);
3. a TrueType CJK font of the system (WenQuanYi, Droid Sans Fallback), if the wheel is missing.

Only the glyphs a document uses are embedded (reportlab subsets the font).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

FONT = "LiaisonCJK"

_SYSTEM = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


#: characters the packaged font draws wrongly (WenQuanYi's ½ lacks its 2), and what to print instead
SUBSTITUTES = str.maketrans({"½": "1/2"})


def printable(text: str) -> str:
    return text.translate(SUBSTITUTES)


class FontMissing(RuntimeError):
    """No TrueType CJK font was found: the PDFs would show empty boxes instead of Chinese."""


def _packaged() -> tuple[str, int] | None:
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return (str(path), 0) if path.is_file() else None


def candidates() -> list[tuple[str, int]]:
    """Where the font may be, in the order tried."""
    out = []
    configured = os.environ.get("LIAISON_CJK_FONT", "").strip()
    if configured:
        path, _sep, index = configured.partition("#")
        out.append((path, int(index or 0)))
    packaged = _packaged()
    if packaged:
        out.append(packaged)
    return out + [c for c in _SYSTEM if os.path.isfile(c[0])]


@cache
def cjk_font() -> str:
    """Register the first usable font with reportlab (once per process); its name for styles."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    tried = []
    for path, index in candidates():
        try:
            font = TTFont(FONT, path, subfontIndex=index)
        except (TTFError, OSError) as err:  # CFF outlines, a broken or unreadable file
            tried.append(f"{path}: {err}")
            continue
        pdfmetrics.registerFont(font)
        for bold in (0, 1):  # <b> and <i> in paragraphs keep the same face rather than failing
            for italic in (0, 1):
                addMapping(FONT, bold, italic, FONT)
        return FONT
    raise FontMissing("no TrueType CJK font: install the project's dependencies (paperang-p2-fonts-cjk) "
                      "or set LIAISON_CJK_FONT to a .ttf/.ttc file. Tried: " + "; ".join(tried or ["nothing"]))


def font_file() -> str:
    """The file the registered font came from (for the logs and the tests)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(cjk_font()).face.filename
