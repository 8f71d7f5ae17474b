"""A checkpoint with a SentencePiece tokenizer (the bundled multilingual-e5-small's, on a tiny
random BERT) goes the whole way: a few training steps, indosec with long-sentence windows and
document offsets, fast mode, and plain transformers.pipeline."""

import json

import pytest
from transformers import pipeline

import indosec
from tests.conftest import tiny_config
from tests.test_predict import SENTENCES
from train.run import train
from train.tiny import build_tiny_bert_for_tokenizer

ARTICLE = (
    "DAMASKUS, KOMPAS.com — Sebuah bom mobil meledak di pasar Azaz, Suriah utara, Sabtu (7/1/2017). "
    "Sedikitnya 43 orang tewas dalam ledakan itu.\n\n"
    "Baca juga: Turki Kirim Tank ke Perbatasan\n\n"
    "Kelompok Negara Islam (ISIS) belum mengklaim serangan tersebut. Pemerintah Turki mengecam "
    "aksi itu dan menjanjikan bantuan bagi korban luka.\n"
)


@pytest.fixture(scope="module")
def sentencepiece_run(e5_latin, tmp_path_factory):
    model = build_tiny_bert_for_tokenizer(tmp_path_factory.mktemp("tiny-sp"), e5_latin)
    cfg = tiny_config(model, tmp_path_factory.mktemp("sp-outputs"), "train.max_steps=6", "train.eval_steps=6",
                      "train.run_name=tiny-sentencepiece")
    train(cfg)
    return cfg.train.run_dir


def test_checkpoint_keeps_the_sentencepiece_tokenizer(sentencepiece_run):
    names = {p.name for p in sentencepiece_run.iterdir()}
    assert {"model.safetensors", "tokenizer.json", "config.json", "README.md"} <= names
    tokenizer = json.loads((sentencepiece_run / "tokenizer.json").read_text(encoding="utf-8"))
    assert tokenizer["model"]["type"] == "Unigram"
    assert json.loads((sentencepiece_run / "tokenizer_config.json").read_text())["model_max_length"] == 64


def test_indosec_and_pipeline_agree(sentencepiece_run):
    clf = indosec.load(str(sentencepiece_run), device="cpu")
    ours = [p.label for p in clf.predict(SENTENCES)]
    pipe = pipeline("text-classification", model=str(sentencepiece_run), device="cpu")
    assert [r["label"] for r in pipe(SENTENCES)] == ours
    assert set(ours) <= set(clf.labels)


def test_long_sentence_is_scored_over_windows(sentencepiece_run):
    clf = indosec.load(str(sentencepiece_run), device="cpu")
    long = " ".join(SENTENCES * 4)
    windows = clf.tokenizer(long, truncation=True, max_length=clf.max_length, stride=clf.stride,
                            return_overflowing_tokens=True)["input_ids"]
    assert len(windows) > 2 and all(w[0] == 0 and w[-1] == 2 for w in windows)  # <s> ... </s> each
    probs = clf.predict_proba([long])[0]
    assert probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_document_offsets_point_into_the_article(sentencepiece_run):
    clf = indosec.load(str(sentencepiece_run), device="cpu")
    doc = clf.predict_document(ARTICLE)
    assert len(doc.sentences) == 4
    for sentence in doc.sentences:
        assert ARTICLE[sentence.start:sentence.end] == sentence.text


def test_fast_mode_agrees_with_fp32(sentencepiece_run):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    fp32 = indosec.load(str(sentencepiece_run), device="cpu")
    fast = indosec.load(str(sentencepiece_run), fast=True)
    assert fast.predict_proba(SENTENCES) == pytest.approx(fp32.predict_proba(SENTENCES), abs=0.03)


def test_hub_validation_passes(sentencepiece_run):
    from train.hub import validate_checkpoint

    validated = validate_checkpoint(sentencepiece_run, allow_below_baseline=True)
    assert len(validated.predictions) == len(validated.widget) == 3
