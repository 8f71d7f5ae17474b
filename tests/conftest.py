"""Shared fixtures. Nothing here touches the network: the tiny BERT is built in the test run."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # any accidental Hub call fails fast instead of hanging
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tiny models gain nothing from more threads, and OpenMP threads spinning on a shared CPU
# multiply test time; subprocess tests inherit it, so in- and out-of-process runs match.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def indosec_cache(tmp_path_factory) -> Path:
    """fast=True caches its ONNX export; tests keep it out of the user's ~/.cache."""
    path = tmp_path_factory.mktemp("indosec-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INDOSEC_CACHE", str(path))
        yield path


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory) -> Path:
    from train.tiny import build_tiny_bert, corpus

    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), corpus(ROOT / "data"))


def tiny_config(model_path, output_dir, *overrides):
    from train.config import load_config

    return load_config(
        [ROOT / "configs" / "tiny.yaml"],
        [f"model.model_name_or_path={model_path}", f"train.output_dir={output_dir}", f"data.data_dir={ROOT / 'data'}",
         f"data.article_dir={ROOT / 'data' / 'articles'}", *overrides],
    )


@pytest.fixture(scope="session")
def tiny_run(tiny_bert, tmp_path_factory) -> tuple[Path, dict]:
    """A finished tiny training run: (checkpoint folder, returned metrics)."""
    from train.run import train

    cfg = tiny_config(tiny_bert, tmp_path_factory.mktemp("outputs"))
    metrics = train(cfg)
    return cfg.train.run_dir, metrics


@pytest.fixture(scope="session")
def e5_latin(indosec_cache) -> Path:
    """The bundled multilingual-e5-small backbone (Latin-script vocabulary), converted once
    into the test run's cache."""
    from train.bundled import resolve_bundled

    return Path(resolve_bundled("bundled:multilingual-e5-small-latin"))
