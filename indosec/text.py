"""Text normalisation shared by training and inference, so both see the same strings."""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC-normalise, drop control and zero-width characters, collapse whitespace.

    Online news copied from web pages carries non-breaking spaces, zero-width joiners and
    stray control bytes; the tokenizer should not see them.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()
