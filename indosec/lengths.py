"""How long a sentence may be, in each unit that matters, and why: the one place to change it.

Three units, three jobs:
- words: what counts as a sentence in the labelled data (`train.data` rejects rows outside
  MIN_WORDS-MAX_WORDS; `data.min_words`/`data.max_words` in a config override them);
- characters: what one text given to `predict` may be (MAX_TEXT_CHARS), and how long a piece
  `predict_document` hands to the model may be (MAX_SENTENCE_CHARS);
- tokens: what the model sees at once (`model.max_length`, saved as the tokenizer's
  `model_max_length`), and the windows a longer sentence is scored over.

The model card states the inference side of this policy with `policy_sentence`, from the same
constants the classifier uses.
"""

from __future__ import annotations

# Sanity bounds for training rows, not style: a 1-2 word "sentence" is a fragment (a byline, a
# tag), one over 80 words is two sentences pasted together. The data's longest has 86 tokens.
MIN_WORDS, MAX_WORDS = 3, 80

# A "sentence" this long is an article passed to predict() or a CSV with an unclosed quote that
# swallowed the rest of the file: scoring it would take minutes and mean nothing.
MAX_TEXT_CHARS = 10_000
# predict_document cuts a piece without sentence punctuation (a list, a 1 MB paste) at the last
# space before this many characters, so the classifier always receives bounded input.
MAX_SENTENCE_CHARS = 2000

# Tokens per sentence in training (`model.max_length`): 128 is plenty for sentences. It must be
# explicit because IndoBERT's Hub tokenizer has no usable model_max_length.
MAX_LENGTH = 128
# A tokenizer's model_max_length above this is not a real limit (IndoBERT reports 10**30): the
# classifier then falls back to MAX_LENGTH.
_SANE_MAX_LENGTH = 4096


def token_limit(model_max_length, max_position_embeddings) -> int:
    """Tokens per window for a checkpoint: its tokenizer's `model_max_length` (training saves
    `model.max_length` there), else MAX_LENGTH when that is missing or absurd, never more than
    the model's position embeddings."""
    ok = isinstance(model_max_length, int) and 0 < model_max_length <= _SANE_MAX_LENGTH
    length = model_max_length if ok else MAX_LENGTH
    positions = max_position_embeddings
    return min(length, positions) if isinstance(positions, int) and positions > 0 else length


def window_stride(max_length: int, stride: int | None = None) -> int:
    """Tokens shared by consecutive windows of a sentence longer than `max_length`: a quarter
    of a window by default, so every token is seen with some context on both sides. ValueError
    unless 0 <= stride < max_length / 2 (the tokenizer needs each window to move forward)."""
    stride = max_length // 4 if stride is None else stride
    if not 0 <= stride < max_length // 2:
        raise ValueError(f"stride must be between 0 and max_length/2 ({max_length // 2}), got {stride}")
    return stride


def policy_sentence(max_length: int) -> str:
    """What the model card promises about length, for a checkpoint scored with `max_length`
    tokens per window (lower case: it continues a sentence)."""
    return (
        f"a sentence longer than {max_length} tokens is not cut off: it is scored over windows of {max_length} "
        f"tokens, consecutive windows sharing {window_stride(max_length)}, and its logits are the token-weighted "
        f"mean of the windows' logits. A single text over {MAX_TEXT_CHARS:,} characters is refused by `predict`; "
        f"document mode cuts any piece over {MAX_SENTENCE_CHARS:,} characters at a space."
    )
