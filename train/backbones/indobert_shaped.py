"""A random BERT of IndoBERT-base's exact shape, with a tokenizer folder like IndoBERT's on the
Hub: the backbone `python -m train.rehearse` trains when IndoBERT's weights cannot be fetched."""

from __future__ import annotations

import json
from pathlib import Path

INDOBERT_BASE = dict(  # indobenchmark/indobert-base-p1's config.json
    vocab_size=50000, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2,
)


def build_indobert_shaped(out_dir: Path, texts: list[str], *, seed: int = 0) -> Path:
    """A random BERT with IndoBERT-base's shape, and its tokenizer as IndoBERT's Hub folder has
    it: vocab.txt and a tokenizer_config.json saying only do_lower_case (no tokenizer.json, no
    model_max_length), so transformers builds the fast tokenizer from vocab.txt as it would there."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import AutoTokenizer, BertConfig, BertModel

    out_dir.mkdir(parents=True, exist_ok=True)
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(texts, vocab_size=INDOBERT_BASE["vocab_size"], min_frequency=1)
    pieces = [piece for piece, _ in sorted(wordpiece.get_vocab().items(), key=lambda kv: kv[1])]
    # Our sentences hold fewer distinct pieces than IndoBERT's vocabulary; BERT's own
    # vocabularies reserve [unusedN] slots the same way, and the embedding matrix keeps its size.
    pieces += [f"[unused{i}]" for i in range(INDOBERT_BASE["vocab_size"] - len(pieces))]
    (out_dir / "vocab.txt").write_text("\n".join(pieces) + "\n", encoding="utf-8")
    (out_dir / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}), encoding="utf-8")
    torch.manual_seed(seed)
    BertModel(BertConfig(**INDOBERT_BASE, pad_token_id=pieces.index("[PAD]"))).save_pretrained(out_dir)
    # config.json (model_type bert) is what tells AutoTokenizer which tokenizer vocab.txt is for
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    if len(tokenizer) != INDOBERT_BASE["vocab_size"] or tokenizer.unk_token in tokenizer.tokenize(texts[0]):
        raise SystemExit(f"the tokenizer built from {out_dir / 'vocab.txt'} lost its vocabulary ({len(tokenizer)} entries)")
    return out_dir
