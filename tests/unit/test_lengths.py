"""indosec.lengths: one length policy, stated by the model card and applied by the classifier."""

import pytest

from indosec import lengths
from indosec.document import split_sentences
from train.config import DataArgs, ModelArgs


def test_document_mode_cuts_pieces_at_the_policys_length():
    pieces = split_sentences("kata " * 1000, dedupe=False)
    assert len(pieces) > 1 and max(len(p.text) for p in pieces) <= lengths.MAX_SENTENCE_CHARS


def test_training_defaults_come_from_the_policy():
    assert (DataArgs().min_words, DataArgs().max_words) == (lengths.MIN_WORDS, lengths.MAX_WORDS)
    assert ModelArgs().max_length == lengths.MAX_LENGTH


@pytest.mark.parametrize(
    "saved, positions, expected",
    [(64, 128, 64), (512, 128, 128), (10**30, 512, lengths.MAX_LENGTH), (None, None, lengths.MAX_LENGTH), (10**30, 64, 64)],
)
def test_the_token_limit_of_a_checkpoint(saved, positions, expected):
    assert lengths.token_limit(saved, positions) == expected


@pytest.mark.parametrize("stride", [-1, 32, 40])
def test_a_stride_that_would_not_move_the_window_forward_is_refused(stride):
    with pytest.raises(ValueError, match="stride must be between 0 and max_length/2 \\(32\\)"):
        lengths.window_stride(64, stride)
