"""What `Classifier.predict` and `Classifier.predict_document` return. Plain frozen
dataclasses: `dataclasses.asdict(result)` gives JSON-ready dicts (the CLI writes those)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prediction:
    """One sentence's result.

    label: the most probable class, or None when its probability is below the `threshold`
        passed to `predict` (an uncertain sentence, for a person to look at).
    score: the probability of the most probable class (also when label is None).
    probabilities: every class's probability, in the checkpoint's label order.
    """

    label: str | None
    score: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class SentencePrediction(Prediction):
    """A sentence of a document with its prediction; `text == document[start:end]`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class LabelSummary:
    """How much of a document one label covers.

    count: sentences predicted as this label (uncertain ones are not counted anywhere).
    share: count / number of sentences.
    mean_probability: this label's probability averaged over all sentences, a soft measure
        that still says something when few sentences pass the threshold.
    evidence: indices (into `sentences`) of this label's sentences, strongest first, at most
        `MAX_EVIDENCE`: the sentences to read to check the article-level answer.
    """

    count: int
    share: float
    mean_probability: float
    evidence: list[int]


@dataclass(frozen=True)
class DocumentPrediction:
    """`predict_document`'s result: sentences in reading order, and the article-level answer.

    labels: the labels the article contains (at least one sentence), strongest evidence first.
    summary: per label (every label of the checkpoint, with zeros if absent), its count, share
        and evidence sentences.
    uncertain: sentences whose label is None (below the threshold), for a person to read.
    """

    sentences: list[SentencePrediction]
    labels: list[str]
    summary: dict[str, LabelSummary]
    uncertain: int


def to_prediction(row: np.ndarray, labels: Sequence[str], threshold: float | None) -> Prediction:
    best = int(row.argmax())
    score = float(row[best])
    return Prediction(
        label=labels[best] if threshold is None or score >= threshold else None,
        score=score,
        probabilities={lab: float(p) for lab, p in zip(labels, row)},
    )


MAX_EVIDENCE = 3


def summarize(sentences: Sequence[Prediction], labels: Sequence[str]) -> dict[str, LabelSummary]:
    n = len(sentences)
    summary = {}
    for lab in labels:
        found = sorted((i for i, s in enumerate(sentences) if s.label == lab), key=lambda i: -sentences[i].score)
        mean = sum(s.probabilities[lab] for s in sentences) / n if n else 0.0
        summary[lab] = LabelSummary(
            count=len(found), share=len(found) / n if n else 0.0, mean_probability=mean, evidence=found[:MAX_EVIDENCE]
        )
    return summary


def document_prediction(sentences: list, labels: Sequence[str]) -> DocumentPrediction:
    """Sentences plus the article-level answer built from them."""
    summary = summarize(sentences, labels)
    present = [lab for lab in labels if summary[lab].count]
    present.sort(key=lambda lab: -sentences[summary[lab].evidence[0]].score)
    return DocumentPrediction(
        sentences=sentences, labels=present, summary=summary, uncertain=sum(1 for s in sentences if s.label is None)
    )


def check_threshold(threshold: float | None) -> float | None:
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a probability between 0 and 1 (or None), got {threshold!r}")
    return float(threshold)
