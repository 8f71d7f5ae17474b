"""A classifier with a SentencePiece tokenizer (the bundled multilingual-e5-small's, on a tiny
random BERT, untrained: the DDP run trains one): indosec and plain transformers.pipeline agree,
a long sentence's windows each carry <s> ... </s>, document offsets point into the article, and
fast mode agrees with fp32."""

import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

import indosec
from indosec.labels import LABELS
from tests.integration.test_predict import SENTENCES

ARTICLE = (
    "DAMASKUS, KOMPAS.com — Sebuah bom mobil meledak di pasar Azaz, Suriah utara, Sabtu (7/1/2017). "
    "Sedikitnya 43 orang tewas dalam ledakan itu.\n\n"
    "Baca juga: Turki Kirim Tank ke Perbatasan\n\n"
    "Kelompok Negara Islam (ISIS) belum mengklaim serangan tersebut. Pemerintah Turki mengecam "
    "aksi itu dan menjanjikan bantuan bagi korban luka.\n"
)


@pytest.fixture(scope="module")
def classifier(tiny_sentencepiece_bert, tmp_path_factory):
    """A checkpoint folder as fit leaves it: a classification head that knows the label names,
    and the tokenizer saved with model_max_length."""
    folder = tmp_path_factory.mktemp("sentencepiece-classifier")
    model = AutoModelForSequenceClassification.from_pretrained(
        tiny_sentencepiece_bert, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={lab: i for i, lab in enumerate(LABELS)})
    model.save_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(tiny_sentencepiece_bert)
    tokenizer.model_max_length = 64
    tokenizer.save_pretrained(folder)
    return folder


def test_indosec_and_pipeline_agree(classifier):
    clf = indosec.load(str(classifier), device="cpu")
    ours = [p.label for p in clf.predict(SENTENCES)]
    pipe = pipeline("text-classification", model=str(classifier), device="cpu")
    assert [r["label"] for r in pipe(SENTENCES)] == ours and set(ours) <= set(clf.labels)


def test_long_sentence_is_scored_over_windows_each_with_its_special_tokens(classifier):
    clf = indosec.load(str(classifier), device="cpu")
    long = " ".join(SENTENCES * 4)
    windows = clf.tokenizer(long, truncation=True, max_length=clf.max_length, stride=clf.stride, return_overflowing_tokens=True)["input_ids"]
    assert clf.max_length == 64 and len(windows) > 2 and all(w[0] == 0 and w[-1] == 2 for w in windows)  # <s> ... </s> each
    assert clf.predict_proba([long])[0].sum() == pytest.approx(1.0, abs=1e-5)


def test_document_offsets_point_into_the_article(classifier):
    doc = indosec.load(str(classifier), device="cpu").predict_document(ARTICLE)
    assert len(doc.sentences) == 4 and all(ARTICLE[s.start:s.end] == s.text for s in doc.sentences)


def test_fast_mode_agrees_with_fp32(classifier):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    fp32, fast = indosec.load(str(classifier), device="cpu"), indosec.load(str(classifier), fast=True)
    assert fast.predict_proba(SENTENCES) == pytest.approx(fp32.predict_proba(SENTENCES), abs=0.03)
