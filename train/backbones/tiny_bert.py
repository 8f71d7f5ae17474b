"""Build a tiny randomly initialised BERT and a WordPiece tokenizer trained on our own
sentences, for tests and smoke runs. Nothing is downloaded.

    python -m train.backbones.tiny_bert outputs/tiny-bert [--data data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from tokenizers import BertWordPieceTokenizer
from transformers import AutoTokenizer, BertConfig, BertModel, PreTrainedTokenizerFast

from indosec.records import read_objects


def build_tiny_bert(out_dir: str | Path, texts: list[str], *, vocab_size: int = 3000, seed: int = 0) -> Path:
    out_dir = Path(out_dir)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=1)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece._tokenizer, unk_token="[UNK]", pad_token="[PAD]",
        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    )
    return _save_tiny_bert(out_dir, tokenizer, seed=seed)


def build_tiny_bert_for_tokenizer(out_dir: str | Path, tokenizer_dir: str | Path, *, seed: int = 0) -> Path:
    """A tiny random BERT that uses an existing tokenizer, e.g. the SentencePiece tokenizer of
    `bundled:multilingual-e5-small-latin`: the end-to-end test of a non-WordPiece checkpoint."""
    return _save_tiny_bert(Path(out_dir), AutoTokenizer.from_pretrained(tokenizer_dir), seed=seed)


def _save_tiny_bert(out_dir: Path, tokenizer, *, seed: int) -> Path:
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
    )
    tokenizer.model_max_length = min(tokenizer.model_max_length, 128)
    BertModel(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def corpus(data_dir: str | Path) -> list[str]:
    texts = []
    for path in sorted(Path(data_dir).glob("*.jsonl")):
        texts += [r["text"] for r in read_objects(path)]
    return texts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--data", default="data")
    args = parser.parse_args()
    print(build_tiny_bert(args.out_dir, corpus(args.data)))
