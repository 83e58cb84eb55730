"""Text normalisation shared by the safety screen and the matcher.

One place decides how raw chat text (zalgo, zero-width joiners, RTL overrides, curly quotes,
stretched letters) becomes comparable text, so the screen and the matcher never disagree.
"""

from __future__ import annotations

import re
import unicodedata

# Hard cap on how much of a message we analyse. Discord messages max out at 4,000 characters
# (Nitro); anything longer is truncated rather than allowed to cost unbounded time.
MAX_ANALYSED_CHARS = 8_000

_INVISIBLE = re.compile(
    "["
    "\u00ad"  # soft hyphen
    "\u200b-\u200f"  # zero-width space/joiners, LRM/RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # BOM / zero-width no-break space
    "]"
)
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"'}
)
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def normalise(text: str) -> str:
    """Lower-case, de-obfuscated, whitespace-collapsed text with accents and marks removed."""
    text = text[:MAX_ANALYSED_CHARS]
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    # Dropping combining marks removes accents and zalgo stacks in one go.
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_QUOTES).casefold()
    text = _STRETCHED.sub(r"\1\1", text)  # "pleeeease" -> "pleease", "sooo" -> "soo"
    # Capped again after NFKD: some characters expand 18-fold (U+FDFA), and every later step's
    # cost must stay bounded by the cap.
    return _SPACES.sub(" ", text).strip()[:MAX_ANALYSED_CHARS]


def words(normalised: str) -> list[str]:
    """Word tokens of already-normalised text (apostrophes and hyphens kept inside words)."""
    return _WORD.findall(normalised)
