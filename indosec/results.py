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
        passed to `predict` (an uncertain sentence, for a person to look at). What a threshold
        keeps for a checkpoint, and how often those labels are right, is the coverage table of
        its model card (a threshold above a checkpoint's highest scores labels nothing).
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

    labels: the content labels the article is about, by the article rule (`article_labels`:
        at least ARTICLE_MIN_SENTENCES sentences with the label at a score of at least
        ARTICLE_MIN_SCORE), strongest evidence first. `other` is never among them: it is
        what is left, and its count is in `summary`. An article about none of the content
        labels has `labels == []`.
    summary: per label (every label of the checkpoint, with zeros if absent), its count, share
        and evidence sentences (every sentence with the label, whatever the article rule says).
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


# The label every sentence about none of the security topics gets; the other labels are content.
OTHER = "other"
# The article rule: an article is about a content label when at least ARTICLE_MIN_SENTENCES of
# its sentences carry it with a score of at least ARTICLE_MIN_SCORE. Chosen on the article
# *validation* split (32 articles) with the reference checkpoint, for the best mean article F1,
# precision and recall alike:
#     python scripts/article_rule.py outputs/quickstart
# One sentence at any score, the rule before, gave mean F1 0.831 there, this one 0.849: it
# drops articles flagged by a single hesitant sentence (propaganda precision 0.647 -> 0.714,
# attack 0.913 -> 0.955, territorial_claim 0.667 -> 0.750, recall unchanged but for one
# propaganda article). Two sentences or more lose far more recall than they gain precision.
ARTICLE_MIN_SENTENCES = 1
ARTICLE_MIN_SCORE = 0.7


def article_labels(
    sentences: Sequence[Prediction], labels: Sequence[str], *,
    min_sentences: int = ARTICLE_MIN_SENTENCES, min_score: float = ARTICLE_MIN_SCORE,
) -> list[str]:
    """The content labels (every label but `other`) that at least `min_sentences` sentences
    carry with a score of at least `min_score`, the strongest evidence first: more such
    sentences first, then the higher best score."""
    strong = {lab: sorted((s.score for s in sentences if s.label == lab and s.score >= min_score), reverse=True) for lab in labels if lab != OTHER}
    found = [lab for lab, scores in strong.items() if len(scores) >= min_sentences and scores]
    return sorted(found, key=lambda lab: (-len(strong[lab]), -strong[lab][0]))


def document_prediction(sentences: list, labels: Sequence[str]) -> DocumentPrediction:
    """Sentences plus the article-level answer built from them."""
    return DocumentPrediction(
        sentences=sentences, labels=article_labels(sentences, labels), summary=summarize(sentences, labels),
        uncertain=sum(1 for s in sentences if s.label is None),
    )


def check_threshold(threshold: float | None) -> float | None:
    if threshold is None:
        return None
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a probability between 0 and 1 (or None), got {threshold!r}")
    return float(threshold)
