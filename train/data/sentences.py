"""Labelled sentences (`data/{train,validation,test}.jsonl`): their fields, the checks of one row
and across rows, and their model-ready examples. The training loader and
`python -m train.data validate data/` run the same function, `validate`.

A row is a JSON object (JSON Lines) or a CSV record with at least `id`, `text`, `label`;
the project's own dataset also carries `theatre`, `register`, `story` and `hard`. A metadata
field is optional, but once any row of the dataset has it, every row must, with a value from
its vocabulary (so a dataset with the metadata is checked in full, one without it is not
asked for it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from indosec.labels import LABELS
from indosec.lengths import MAX_WORDS, MIN_WORDS
from indosec.records import Row
from indosec.text import normalize_text
from train.config import DataArgs
from train.data.validation import SPLITS, THEATRES, near_duplicates, raise_problems, read_labelled

CORE_FIELDS = ("id", "text", "label")
META_FIELDS = ("theatre", "register", "story", "hard")
REGISTERS = ("hard_news", "dateline", "quote", "headline", "press_release", "translated_statement",
             "opinion", "extremist_channel", "partisan_site", "boilerplate")
NEAR_DUPLICATE_JACCARD = 0.8  # of normalised character 5-gram sets


def validate(data_args: DataArgs) -> dict[str, list[Row]]:
    """The checks of the training loader and of `python -m train.data validate`: the
    train/validation/test files of `data_args`, with its labels and word bounds."""
    paths = {s: data_args.path(s) for s in SPLITS}
    return validate_files(paths, data_args.labels, min_words=data_args.min_words, max_words=data_args.max_words)


def validate_files(split_paths: dict[str, Path], labels=LABELS, *, min_words=MIN_WORDS, max_words=MAX_WORDS) -> dict[str, list[Row]]:
    """Read and check every split; raise DataError listing all problems, else return the rows."""
    split_rows, problems = {}, []
    for split, path in split_paths.items():
        rows, errors = read_labelled(path)
        problems += errors
        split_rows[split] = rows
        if not rows and not errors:
            problems.append(f"{path}: no rows")
    present = {k for rows in split_rows.values() for r in rows for k in r.fields}
    required = CORE_FIELDS + tuple(k for k in META_FIELDS if k in present)
    for rows in split_rows.values():
        for r in rows:
            problems += check_row(r, labels, required=required, min_words=min_words, max_words=max_words)
    problems += check_dataset(split_rows)
    raise_problems(problems)
    return split_rows


def check_row(row: Row, labels, *, required=CORE_FIELDS, min_words=MIN_WORDS, max_words=MAX_WORDS, allowed=()) -> list[str]:
    """Problems of one row on its own: fields, label, text. `allowed`: fields a source adds."""
    f, problems = row.fields, []
    missing = [k for k in required if k not in f or f[k] is None]
    extra = sorted(set(f) - set(CORE_FIELDS) - set(META_FIELDS) - set(allowed))
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unknown field(s) {', '.join(extra)}")
    if "label" in f and f["label"] is not None and f["label"] not in labels:
        problems.append(f"unknown label {f['label']!r} (expected one of {', '.join(labels)})")
    text = f.get("text")
    if "text" in f and not isinstance(text, str):
        problems.append(f"field text is {type(text).__name__}, expected a string")
    elif isinstance(text, str):
        words = len(text.split())
        if words == 0:
            problems.append("empty text")
        elif not min_words <= words <= max_words:
            problems.append(f"text has {words} words (allowed {min_words}-{max_words})")
    for name, vocab in (("theatre", THEATRES), ("register", REGISTERS)):
        if name in f and f[name] not in vocab:
            problems.append(f"unknown {name} {f[name]!r} (expected one of {', '.join(vocab)})")
    if "hard" in f and not isinstance(f["hard"], bool) and str(f["hard"]).lower() not in ("true", "false"):
        problems.append(f"field hard={f['hard']!r}, expected true or false")
    return [f"{row.where}: {p}" for p in problems]


def check_dataset(split_rows: dict[str, list[Row]], against: dict[str, list[Row]] | None = None) -> list[str]:
    """Problems across rows and splits: duplicate ids, exact and near duplicates, stories in two
    splits. Two rows of one contrastive group (same `story`, both with a `rule`) may share
    their words, and may differ only in casing: that is what a minimal pair is. `against`: rows
    already checked among themselves (the sentence splits, when the contrastive files are
    checked); only their pairs with a row of `split_rows` are looked at."""
    problems, against = [], against or {}
    new = [r for rows in split_rows.values() for r in rows if isinstance(r.fields.get("text"), str)]
    old = [r for rows in against.values() for r in rows if isinstance(r.fields.get("text"), str)]
    new_texts, old_texts = [fingerprint(r.fields["text"]) for r in new], [fingerprint(r.fields["text"]) for r in old]
    seen_ids: dict[str, Row] = {}
    seen_text: dict[str, Row] = {}
    # the rows checked against first, so that of a duplicate pair the new row is the one reported
    for r, fp, r_is_new in zip(old + new, old_texts + new_texts, [False] * len(old) + [True] * len(new)):
        rid = str(r.fields.get("id"))
        if rid in seen_ids and r_is_new:
            problems.append(f"{r.where}: duplicate id {rid!r} (first at {seen_ids[rid].where})")
        if fp in seen_text and r_is_new and not _same_group(seen_text[fp], r):
            problems.append(f"{r.where}: exact duplicate of {seen_text[fp].where}")
        seen_ids.setdefault(rid, r)
        seen_text.setdefault(fp, r)
    everything, texts = new + old, new_texts + old_texts  # new rows first: near_duplicates(first=) pairs them with all
    for i, j in near_duplicates(texts, char_5grams, NEAR_DUPLICATE_JACCARD, first=len(new)):
        if texts[i] != texts[j] and not _same_group(everything[i], everything[j]):  # exact duplicates are reported on their own
            later, earlier = (everything[j], everything[i]) if j < len(new) else (everything[i], everything[j])
            problems.append(f"{later.where}: near-duplicate of {earlier.where}")
    story_splits = defaultdict(set)
    story_first = {}
    for split, rows in [*against.items(), *split_rows.items()]:
        for r in rows:
            story = r.fields.get("story")
            if story:
                story_splits[story].add(split)
                story_first.setdefault((story, split), r)
    for story, splits in sorted(story_splits.items()):
        if len(splits) > 1:
            places = ", ".join(story_first[(story, s)].where for s in sorted(splits))
            problems.append(f"story {story!r} spans splits {sorted(splits)} ({places})")
    return problems


def _same_group(a: Row, b: Row) -> bool:
    return "rule" in a.fields and "rule" in b.fields and a.fields.get("story") == b.fields.get("story")


def fingerprint(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.casefold())).strip()


def char_5grams(text: str) -> set[str]:
    return {text[i:i + 5] for i in range(len(text) - 4)}


def to_examples(rows: list[Row], labels) -> list[dict]:
    """Model-ready dicts: normalised text, integer label, and the metadata the reports group by."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    out = []
    for r in rows:
        f = r.fields
        out.append({
            "id": str(f["id"]), "text": normalize_text(f["text"]), "label": label2id[f["label"]],
            **{k: str(f[k]) for k in ("theatre", "register", "story") if k in f},
            **({"hard": f["hard"] is True or str(f["hard"]).lower() == "true"} if "hard" in f else {}),
        })
    return out
