"""Length-aware batching in Classifier.logits, with a word-level tokenizer and a stand-in
backend whose logits are a function of each row's real tokens (no model is built)."""

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import Whitespace
from transformers import BertConfig, PreTrainedTokenizerFast

import indosec

WORDS = "bom meledak di pasar kota tujuh orang tewas kedua negara sepakat kerja sama harga cabai naik".split()
TEXTS = [" ".join(WORDS[i % len(WORDS) : i % len(WORDS) + n]) for i, n in enumerate([7, 1, 4, 12, 2, 9, 3, 5, 1, 8, 6, 10, 2])]


def tokenizer():
    vocab = {"[PAD]": 0, "[UNK]": 1} | {w: i + 2 for i, w in enumerate(WORDS)}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", model_max_length=64)


class Recording:
    """Logits: (number of real tokens, sum of their ids, 0): independent of padding and batch."""

    device = torch.device("cpu")

    def __init__(self):
        self.batches = []

    def logits(self, encoding):
        self.batches.append(encoding)
        mask = encoding["attention_mask"].numpy()
        ids = encoding["input_ids"].numpy() * mask
        return np.stack([mask.sum(1), ids.sum(1), np.zeros(len(mask))], axis=1).astype(np.float32)


def classifier(**options):
    config = BertConfig(id2label={0: "a", 1: "b", 2: "c"}, max_position_embeddings=64)
    return indosec.Classifier(Recording(), tokenizer(), config, **options)


def test_rows_come_back_in_input_order_from_batches_sorted_by_token_length():
    clf = classifier(batch_size=3)
    logits = clf.logits(TEXTS)
    assert logits[:, 0].tolist() == [len(t.split()) for t in TEXTS]  # each row is its own sentence's
    widths = [b["input_ids"].shape[1] for b in clf.backend.batches]
    assert widths == sorted(widths) and len(widths) == -(-len(TEXTS) // 3)
    for batch in clf.backend.batches:  # padded to its own longest row, no wider
        assert batch["attention_mask"].sum(1).max() == batch["input_ids"].shape[1]


def test_input_order_batches_give_the_same_logits_with_more_padding():
    sorted_clf, unsorted_clf = classifier(batch_size=3), classifier(batch_size=3, sort_window=3)
    assert sorted_clf.logits(TEXTS) == pytest.approx(unsorted_clf.logits(TEXTS))
    padded = [sum(b["input_ids"].numel() for b in c.backend.batches) for c in (sorted_clf, unsorted_clf)]
    assert padded[0] < padded[1]


def test_sorting_stays_within_a_window():
    clf = classifier(batch_size=2, sort_window=5)
    clf.logits(TEXTS)
    assert [len(b["input_ids"]) for b in clf.backend.batches] == [2, 2, 1, 2, 2, 1, 2, 1]


@pytest.mark.parametrize("option", ["batch_size", "sort_window"])
@pytest.mark.parametrize("value", [0, -3, 2.5])
def test_bad_batch_options_are_refused_in_one_line(option, value):
    with pytest.raises(ValueError, match=rf"^{option} must be a whole number of at least 1, got {value}$"):
        classifier(**{option: value})
