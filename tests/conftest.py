"""Shared fixtures. Nothing here touches the network: the tiny models are built in the test run.

The suite comes in three tiers (docs/architecture.md):
- tests/unit/: no model is built or loaded (`make check`, under 90 s);
- tests/integration/: around one session-wide tiny checkpoint made by `train.pipeline.run`;
- tests/e2e/: marked slow; real subprocesses: the rehearsal, DDP, kill-and-resume, user errors.
The whole suite trains the tiny model three times: the session checkpoint (`tiny_run`), the
kill-and-resume run that must end where it did, and the two-process DDP run (on the
SentencePiece tokenizer of the quickstart's backbone; the other two on WordPiece, IndoBERT's kind).
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # any accidental Hub call fails fast instead of hanging
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tiny models gain nothing from more threads, and OpenMP threads spinning on a shared CPU
# multiply test time; subprocess tests inherit it, so in- and out-of-process runs match.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The session checkpoint's settings beyond configs/tiny.yaml: a checkpoint every 4 steps (the
# kill-and-resume test stops after the first one), and the options a run can switch on, so
# that the one run trains through each of them.
SESSION_OVERRIDES = (
    "train.eval_steps=4", "train.save_total_limit=2", "train.class_weights=true", "model.freeze_embeddings=true",
    "train.gradient_checkpointing=true", "train.gradient_accumulation_steps=2",
)


@pytest.fixture(scope="session", autouse=True)
def indosec_cache(tmp_path_factory) -> Path:
    """fast=True and the bundled backbone cache what they build; tests keep it out of ~/.cache."""
    path = tmp_path_factory.mktemp("indosec-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INDOSEC_CACHE", str(path))
        yield path


def tiny_config(model_path, output_dir, *overrides):
    from train.config import load_config

    return load_config(
        [ROOT / "configs" / "tiny.yaml"],
        [f"model.model_name_or_path={model_path}", f"train.output_dir={output_dir}", f"data.data_dir={ROOT / 'data'}",
         f"data.article_dir={ROOT / 'data' / 'articles'}", *overrides],
    )


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    """A tiny random BERT with a WordPiece tokenizer trained on data/ (IndoBERT's kind)."""
    from train.backbones.tiny_bert import build_tiny_bert, corpus

    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), corpus(ROOT / "data"))


@pytest.fixture(scope="session")
def e5_latin(indosec_cache) -> Path:
    """The bundled multilingual-e5-small backbone (Latin-script vocabulary), converted once
    into the test run's cache."""
    from train.backbones.multilingual_e5 import resolve_bundled

    return Path(resolve_bundled("bundled:multilingual-e5-small-latin"))


@pytest.fixture(scope="session")
def tiny_sentencepiece_bert(e5_latin, tmp_path_factory) -> Path:
    """A tiny random BERT with the SentencePiece tokenizer of the quickstart's backbone."""
    from train.backbones.tiny_bert import build_tiny_bert_for_tokenizer

    return build_tiny_bert_for_tokenizer(tmp_path_factory.mktemp("tiny-sp"), e5_latin)


@pytest.fixture(scope="session")
def tiny_run(tiny_bert, tmp_path_factory):
    """The session checkpoint: configs/tiny.yaml with SESSION_OVERRIDES, trained by
    `train.pipeline.run` in this process: its folder, metrics, what it printed and its config."""
    from train.pipeline import run

    cfg = tiny_config(tiny_bert, tmp_path_factory.mktemp("outputs"), *SESSION_OVERRIDES)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        metrics = run(cfg)
    return TinyRun(cfg.train.run_dir, metrics, printed.getvalue(), cfg)


@dataclass(frozen=True)
class TinyRun:
    run_dir: Path
    metrics: dict
    printed: str
    cfg: object
