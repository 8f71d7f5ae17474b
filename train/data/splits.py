"""The labelled data one evaluation reads, and the loader that builds it for a training run from
its DataArgs: the validated sentence splits, their seeded samples, and the sentences of whole
articles (train and validation trained on; the test articles kept for document mode).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from indosec.records import Row
from train.config import DataArgs
from train.data.articles import article_examples, article_paths, validate_article_files
from train.data.sentences import to_examples, validate, validate_files
from train.data.validation import SPLITS

# Validation and test samples are drawn with this seed, not train.seed: under `--seeds N` every
# run is then scored on the same sentences, and the spread is initialisation noise alone.
EVAL_SAMPLE_SEED = 0


@dataclass
class Splits:
    """Model-ready sentences by split (`{"id", "text", "label", ...}`, label ids in `labels`
    order) and the file each split came from. `evaluated` names the split an evaluation scores;
    `train` and `validation`, when present, train and tune the baseline (and fit the
    temperature); `articles`, whole labelled articles by split, are scored in document mode."""

    labels: list[str]
    sentences: dict[str, list[dict]]
    paths: dict[str, Path]
    evaluated: str = "test"
    articles: dict[str, list[Row]] | None = None

    def texts(self, split: str) -> list[str]:
        return [e["text"] for e in self.sentences.get(split, [])]

    def gold(self, split: str) -> list[int]:
        return [e["label"] for e in self.sentences.get(split, [])]

    @classmethod
    def from_files(cls, paths: dict[str, Path], labels: list[str], *, evaluated: str) -> Splits:
        """Labelled sentence files by split name, validated together (`validate_files`)."""
        rows = validate_files(paths, labels)
        return cls(list(labels), {split: to_examples(r, labels) for split, r in rows.items()}, dict(paths), evaluated=evaluated)


def load_splits(data_args: DataArgs, seed: int) -> Splits:
    """What a run trains and is evaluated on (every file validated first: bad data fails in seconds)."""
    d, labels = data_args, list(data_args.labels)
    # 1. the sentence splits, validated, then seeded samples of them (smoke runs)
    sentences = {split: to_examples(rows, labels) for split, rows in validate(d).items()}
    sentences = {
        "train": seeded_sample(sentences["train"], d.max_train_samples, seed),
        "validation": seeded_sample(sentences["validation"], d.max_eval_samples, EVAL_SAMPLE_SEED),
        "test": seeded_sample(sentences["test"], d.max_eval_samples, EVAL_SAMPLE_SEED),
    }
    # 2. whole articles: their train and validation sentences join the sentence splits
    articles = validate_article_files(article_paths(d.article_dir), labels) if d.article_dir else None
    if articles and d.train_on_articles:
        sentences["train"] += seeded_sample(article_examples(articles["train"], labels), d.max_article_train_samples, seed)
        sentences["validation"] += article_examples(articles["validation"], labels)
    return Splits(labels, sentences, {split: d.path(split) for split in SPLITS}, articles=articles)


def seeded_sample(items: list, limit: int | None, seed: int) -> list:
    """At most `limit` items drawn with `seed`, in their original order (a seeded sample, not
    the first rows: the files are sorted by story); all of them without a limit."""
    if not limit or limit >= len(items):
        return list(items)
    keep = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in keep]


def label_counts(examples: list[dict], labels: list[str]) -> dict[str, int]:
    counts = Counter(e["label"] for e in examples)
    return {lab: counts[i] for i, lab in enumerate(labels)}
