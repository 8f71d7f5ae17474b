"""The article-level answer of `predict_document` (indosec.results): the content labels an
article is about, by the article rule, strongest evidence first, with `other` apart; and the
document figures of metrics.json flag articles by the same rule."""

import numpy as np
import pytest

from indosec.document import split_sentences
from indosec.labels import LABELS
from indosec.records import Row
from indosec.results import ARTICLE_MIN_SCORE, SentencePrediction, document_prediction
from train.scores.calibration import calibrated_probabilities, calibration_effect
from train.scores.documents import evaluate_documents


def sentence(label, score, i=0):
    rest = (1 - score) / (len(LABELS) - 1)
    probs = {lab: score if lab == label else rest for lab in LABELS}
    return SentencePrediction(label, score, probs, f"kalimat {i}.", 10 * i, 10 * i + 9)


def test_content_labels_come_first_by_evidence_and_other_stays_apart():
    """The joint-patrol article: three cooperation sentences, the headline among them, outweigh
    one confident propaganda sentence; the many confident `other` sentences lead nothing."""
    sents = [sentence("security_cooperation", 0.80, 0), sentence("other", 0.94, 1), sentence("security_cooperation", 0.85, 2),
             sentence("other", 0.93, 3), sentence("propaganda", 0.91, 4), sentence("security_cooperation", 0.75, 5)]
    doc = document_prediction(sents, LABELS)
    assert doc.labels == ["security_cooperation", "propaganda"]
    assert doc.summary["other"].count == 2 and doc.summary["security_cooperation"].evidence == [2, 0, 5]


def test_a_single_hesitant_sentence_does_not_flag_the_article():
    sents = [sentence("other", 0.9, 0), sentence("attack", ARTICLE_MIN_SCORE - 0.1, 1), sentence("territorial_claim", ARTICLE_MIN_SCORE, 2)]
    doc = document_prediction(sents, LABELS)
    assert doc.labels == ["territorial_claim"]
    assert doc.summary["attack"].count == 1  # the sentence is still labelled and counted, for a person to read


def test_an_article_about_nothing_of_the_content_labels_has_no_labels():
    assert document_prediction([sentence("other", 0.99, 0)], LABELS).labels == []


def test_article_precision_and_recall_use_the_article_rule():
    text = "Bom meledak di pasar Azaz. Warga panik dan berlarian."
    row = Row(1, {"id": "a1", "text": text, "sentences": [{"start": 0, "end": 26, "label": "attack"}, {"start": 27, "end": len(text), "label": "other"}]}, path="t")

    class Stand_in:
        def predict_document(self, text):
            probs = {lab: 0.1 for lab in LABELS} | {"attack": ARTICLE_MIN_SCORE - 0.05}
            sents = [SentencePrediction("attack", probs["attack"], probs, s.text, s.start, s.end) for s in split_sentences(text)]
            return document_prediction(sents, LABELS)

    docs = evaluate_documents(Stand_in(), [row], LABELS)
    assert docs["article_rule"] == {"min_sentences": 1, "min_score": ARTICLE_MIN_SCORE}
    assert docs["model"]["article_recall"]["attack"] == {"articles": 1, "found": 0, "recall": 0.0, "flagged": 0, "precision": None}


def test_the_temperature_is_scored_on_the_article_sentences_too():
    """Document mode gives calibrated probabilities; the figures before the temperature are
    recovered from them exactly (softmax(T * log p) is the softmax of the raw logits)."""
    text = "Bom meledak di pasar Azaz. Warga panik dan berlarian."
    row = Row(1, {"id": "a1", "text": text, "sentences": [{"start": 0, "end": 26, "label": "attack"}, {"start": 27, "end": len(text), "label": "other"}]}, path="t")
    raw = np.array([[0.0, 3.0, 0.0, 0.0, 1.0], [0.0, 2.0, 0.0, 0.0, 1.5]])  # the second sentence is wrong

    class Calibrated:
        temperature = 2.0

        def predict_document(self, text):
            probs = calibrated_probabilities(raw, self.temperature)
            sents = [SentencePrediction(LABELS[int(p.argmax())], float(p.max()), dict(zip(LABELS, map(float, p))), s.text, s.start, s.end)
                     for p, s in zip(probs, split_sentences(text))]
            return document_prediction(sents, LABELS)

    cal = evaluate_documents(Calibrated(), [row], LABELS)["calibration"]
    expected = calibration_effect(raw, [LABELS.index("attack"), LABELS.index("other")], 2.0)
    assert cal == pytest.approx({"temperature": 2.0, **expected})
