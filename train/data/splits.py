"""The labelled data one evaluation reads, and the loader that builds it for a training run from
its DataArgs: the validated sentence splits, their seeded samples, and the sentences of whole
articles (train and validation trained on; the test articles kept for document mode), the
contrastive pairs (trained on) and the contrast suite (only scored).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from indosec.records import Row
from train.config import DataArgs
from train.data.articles import article_examples, article_paths, validate_article_files
from train.data.contrast import RULES_FILE, read_rules, suite_examples, validate_suite, where_texts
from train.data.contrastive import validate_contrastive
from train.data.reviewed import is_user_file, load_extra, read_user_sentences
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
    temperature); `articles`, whole labelled articles by split, are scored in document mode;
    `contrast`, the contrast suite's sentences, per rule of the catalogue `rules`."""

    labels: list[str]
    sentences: dict[str, list[dict]]
    paths: dict[str, Path]
    evaluated: str = "test"
    articles: dict[str, list[Row]] | None = None
    contrast: list[dict] | None = None
    rules: dict[str, dict] | None = None
    user: dict[str, list[dict]] | None = None
    """The sentences of the user's own articles (`data.extra_articles`) by split; their train and
    validation sentences are also in `sentences`, their test ones only here (section "Your data")."""
    user_files: list[str] | None = None

    def texts(self, split: str) -> list[str]:
        return [e["text"] for e in self.sentences.get(split, [])]

    def gold(self, split: str) -> list[int]:
        return [e["label"] for e in self.sentences.get(split, [])]

    @classmethod
    def from_files(cls, paths: dict[str, Path], labels: list[str], *, evaluated: str) -> Splits:
        """Labelled sentence files by split name, validated together (`validate_files`)."""
        rows = validate_files(paths, labels)
        return cls(list(labels), {split: to_examples(r, labels) for split, r in rows.items()}, dict(paths), evaluated=evaluated)

    @classmethod
    def for_evaluation(cls, paths: dict[str, Path], labels: list[str]) -> Splits:
        """`python -m train.evaluate`: `paths["evaluated"]` is scored, the other paths train the
        baseline. The evaluated file may be the project's sentence format, a review's labels
        file, or text+label rows without ids (`train.data.reviewed.read_user_sentences`)."""
        if not is_user_file(paths["evaluated"]):
            return cls.from_files(paths, labels, evaluated="evaluated")
        others = {split: path for split, path in paths.items() if split != "evaluated"}
        sentences = {"evaluated": read_user_sentences(paths["evaluated"], labels)}
        if others:
            sentences |= {split: to_examples(r, labels) for split, r in validate_files(others, labels).items()}
        return cls(list(labels), sentences, dict(paths), evaluated="evaluated")


@dataclass
class ValidatedData:
    """Every labelled file a DataArgs names, read and checked together (rows by split): the
    sentences, whole articles, contrastive pairs and the contrast suite with its rules."""

    sentences: dict[str, list[Row]]
    articles: dict[str, list[Row]] | None
    pairs: dict[str, list[Row]]
    suite: list[Row] | None
    rules: dict[str, dict] | None


def validate_data(d: DataArgs) -> ValidatedData:
    """The one check of a run's data (also `python -m train.data validate`): DataError naming
    file and line of every problem; bad data fails in seconds, before any model loads."""
    labels = list(d.labels)
    rows = validate(d)
    rules = read_rules(Path(d.contrast_dir) / RULES_FILE) if d.contrast_dir else None
    pairs = validate_contrastive(d.contrastive_dir, rows, labels, rules=rules, min_words=d.min_words, max_words=d.max_words) if d.contrastive_dir else {}
    articles = validate_article_files(article_paths(d.article_dir), labels) if d.article_dir else None
    suite = None
    if d.contrast_dir:  # never trained on, and no sentence of it nearly repeats one that is
        seen = where_texts(rows) + where_texts(pairs) + article_where_texts(articles)
        suite, rules = validate_suite(d.contrast_dir, labels, against=seen)
    return ValidatedData(rows, articles, pairs, suite, rules)


def load_splits(data_args: DataArgs, seed: int) -> Splits:
    """What a run trains and is evaluated on, from the validated data."""
    d, labels = data_args, list(data_args.labels)
    data = validate_data(d)
    # 1. the sentence splits, with seeded samples of them for smoke runs
    sentences = {split: to_examples(r, labels) for split, r in data.sentences.items()}
    sentences = {
        "train": seeded_sample(sentences["train"], d.max_train_samples, seed),
        "validation": seeded_sample(sentences["validation"], d.max_eval_samples, EVAL_SAMPLE_SEED),
        "test": seeded_sample(sentences["test"], d.max_eval_samples, EVAL_SAMPLE_SEED),
    }
    # 2. the train and validation sentences of whole articles, and the contrastive pairs, join them
    if data.articles and d.train_on_articles:
        sentences["train"] += seeded_sample(article_examples(data.articles["train"], labels), d.max_article_train_samples, seed)
        sentences["validation"] += article_examples(data.articles["validation"], labels)
    if data.pairs:
        sentences["train"] += seeded_sample(to_examples(data.pairs["train"], labels), d.max_contrastive_train_samples, seed)
        sentences["validation"] += to_examples(data.pairs["validation"], labels)
    # 3. the user's own reviewed articles, split by story: train and validation join the rest
    user = load_extra(d.extra_articles, labels, test_share=d.extra_test_share, validation_share=d.extra_validation_share,
                      seed=EVAL_SAMPLE_SEED) if d.extra_articles else None
    if user:
        sentences["train"] += user["train"]
        sentences["validation"] += user["validation"]
    # 4. the contrast suite is only scored
    contrast = suite_examples(data.suite, labels) if data.suite is not None else None
    return Splits(labels, sentences, {split: d.path(split) for split in SPLITS}, articles=data.articles,
                  contrast=contrast, rules=data.rules, user=user, user_files=list(d.extra_articles))


def article_where_texts(articles: dict[str, list[Row]] | None, splits=("train", "validation")) -> list[tuple[str, str]]:
    """(where, text) of the labelled sentences of the articles of `splits`."""
    return [(f"{r.where} sentence {k}", s["text"]) for split in splits for r in (articles or {}).get(split, [])
            for k, s in enumerate(r.fields["sentences"], 1) if isinstance(s.get("text"), str)]


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
