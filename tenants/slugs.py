"""Town slugs: `[a-z][a-z0-9_]{1,39}`, from the pinyin of the town's Chinese name."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_SUFFIXES = ("街道办事处", "办事处", "街道", "镇", "乡")


def is_valid(slug: str) -> bool:
    return bool(SLUG_RE.match(slug))


def from_name(name: str) -> str:
    """尹庄镇 -> yinzhuang; 城关镇 -> chengguan. The administrative suffix is dropped."""
    base = unicodedata.normalize("NFKC", name).strip()
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    parts = lazy_pinyin(base, errors=lambda chars: [c for c in chars])
    slug = re.sub(r"[^a-z0-9]+", "", "".join(parts).lower())
    if not slug or not slug[0].isalpha():
        slug = "t" + slug
    if len(slug) < 2:
        slug += "town"
    return slug[:34]


def candidates(name: str):
    base = from_name(name)
    yield base
    for n in range(2, 1000):
        yield f"{base}_{n}"
