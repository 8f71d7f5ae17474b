"""Build a tiny randomly initialised BERT and a WordPiece tokenizer trained on our own
sentences, for tests and smoke runs. Nothing is downloaded.

    python -m train.tiny outputs/tiny-bert [--data data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from tokenizers import BertWordPieceTokenizer
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast


def build_tiny_bert(out_dir: str | Path, texts: list[str], *, vocab_size: int = 3000, seed: int = 0) -> Path:
    out_dir = Path(out_dir)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=1)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece._tokenizer, unk_token="[UNK]", pad_token="[PAD]",
        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=128,
    )
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def corpus(data_dir: str | Path) -> list[str]:
    texts = []
    for path in sorted(Path(data_dir).glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    return texts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--data", default="data")
    args = parser.parse_args()
    print(build_tiny_bert(args.out_dir, corpus(args.data)))
