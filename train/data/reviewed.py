"""A user's own labelled news: the labels files a review writes (`indosec.reviewed`; a run's
`data.extra_articles`) and plain text+label files (`python -m train.evaluate --data`).

A labels file has one line per decision; the lines of one article share its id and are merged
into one article here. Articles are split by story (a user's article is its own story): a
story keeps the split its file gives it (field `split`), else gets one drawn with a fixed seed,
with the test and validation shares of the config. Whatever the files say, one story never
lands in two splits: the validator refuses it, naming both lines.
"""

from __future__ import annotations

import random
from pathlib import Path

from indosec.records import read_rows
from indosec.reviewed import key, read_decisions, sentence_problems
from indosec.text import normalize_text
from train.data.validation import SPLITS, DataError, raise_problems


def read_reviewed(paths, labels) -> list[dict]:
    """The articles of one or more labels files, each line's sentence merged into its article:
    `id`, `story`, `text`, `split` (None if no line gives one), `where` (its first line) and
    `sentences` in text order. DataError listing every bad line, an article whose lines
    disagree on its text or split, and a sentence labelled twice."""
    articles, problems, seen = {}, [], {}
    for path in map(Path, paths):
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        rows, errors = read_decisions(path, labels)
        problems += errors
        for row in rows:
            f = row.fields
            a = articles.setdefault(f["id"], {"id": f["id"], "story": f["story"], "text": f["text"], "split": None,
                                              "where": row.where, "split_where": None, "sentences": []})
            if f["text"] != a["text"]:
                problems.append(f"{row.where}: article {f['id']!r} has another text than at {a['where']}")
                continue
            if f.get("split") is not None:
                if a["split"] is not None and a["split"] != f["split"]:
                    problems.append(f"{row.where}: article {f['id']!r} is put in split {f['split']} here and in {a['split']} at {a['split_where']}")
                a["split"], a["split_where"] = a["split"] or f["split"], a["split_where"] or row.where
            for s in f["sentences"]:
                k = key({"id": f["id"], "sentences": [s]})
                if k in seen:
                    problems.append(f"{row.where}: the sentence at {s['start']}-{s['end']} of {f['id']!r} is labelled twice (first at {seen[k]})")
                    continue
                seen[k] = row.where
                a["sentences"].append(s)
    for a in articles.values():
        a["sentences"].sort(key=lambda s: s["start"])
        problems += [f"{a['where']}: {a['id']}: {p}" for p in sentence_problems(a["text"], a["sentences"], labels) if "offsets" in p]
    raise_problems(problems, "labels file")
    return list(articles.values())


def split_reviewed(articles: list[dict], *, test_share: float, validation_share: float, seed: int) -> dict[str, list[dict]]:
    """Articles by split, grouped by story: a story takes the split its articles carry, else a
    seeded draw gives `test_share` of the stories to test and `validation_share` to validation.
    DataError if the articles of one story carry different splits (`check_one_split`)."""
    stories: dict[str, list[dict]] = {}
    for a in articles:
        stories.setdefault(a["story"], []).append(a)
    check_one_split(stories)
    given = {s: next((a["split"] for a in group if a["split"]), None) for s, group in stories.items()}
    free = sorted(s for s, split in given.items() if split is None)
    random.Random(seed).shuffle(free)
    n_test, n_val = round(len(free) * test_share), round(len(free) * validation_share)
    drawn = {s: "test" if i < n_test else "validation" if i < n_test + n_val else "train" for i, s in enumerate(free)}
    out = {split: [] for split in SPLITS}
    for story, group in stories.items():
        out[given[story] or drawn[story]] += group
    return out


def check_one_split(stories: dict[str, list[dict]]) -> None:
    """The split-leak refusal: every article of a story in one split, or DataError naming both."""
    problems = []
    for story, group in stories.items():
        placed = [a for a in group if a["split"]]
        for a in placed[1:]:
            if a["split"] != placed[0]["split"]:
                problems.append(f"{a['split_where']}: story {story!r} would be in two splits: "
                                f"{placed[0]['split']} ({placed[0]['split_where']}) and {a['split']}")
    raise_problems(problems, "split")


def reviewed_examples(articles: list[dict], labels) -> list[dict]:
    """Model-ready sentences of reviewed articles (`story` is the article's story)."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    return [{"id": f"{a['id']}:{s['start']}-{s['end']}", "text": normalize_text(a["text"][s["start"]:s["end"]]),
             "label": label2id[s["label"]], "story": a["story"], "hard": bool(s.get("hard", False))}
            for a in articles for s in a["sentences"]]


def is_user_file(path: str | Path) -> bool:
    """A labels file from a review, or sentence rows without ids (what `read_user_sentences` reads),
    rather than the project's own sentence format."""
    first = next((r for r in read_rows(path) if r.error is None), None) if Path(path).is_file() else None
    return first is not None and ("sentences" in first.fields or "id" not in first.fields)


def read_user_sentences(path: str | Path, labels) -> list[dict]:
    """The labelled sentences of a file a user brings to `python -m train.evaluate --data`: a
    labels file from a review (articles with `sentences`) or plain rows with `text` and `label`
    (no id needed: the file and line stand in for one). DataError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    first = next((r for r in read_rows(path) if r.error is None), None)
    if first is not None and "sentences" in first.fields:  # a labels file from a review
        return reviewed_examples(read_reviewed([path], labels), labels)
    label2id, examples, problems = {lab: i for i, lab in enumerate(labels)}, [], []
    for row in read_rows(path):
        where, f = f"{path}:{row.line}", row.fields
        if row.error is not None:
            problems.append(f"{where}: {row.error}")
        elif not isinstance(f.get("text"), str) or not f["text"].strip():
            problems.append(f"{where}: no text (field 'text')")
        elif f.get("label") not in label2id:
            problems.append(f"{where}: label {f.get('label')!r} is not one of {', '.join(labels)}")
        else:
            examples.append({"id": str(f.get("id") or f"{path.name}:{row.line}"), "text": normalize_text(f["text"]), "label": label2id[f["label"]]})
    raise_problems(problems, "data")
    if not examples:
        raise DataError(f"{path}: no labelled sentences")
    return examples


def load_extra(paths, labels, *, test_share: float, validation_share: float, seed: int) -> dict[str, list[dict]]:
    """`data.extra_articles` for a run: the sentences of the user's articles by split."""
    placed = split_reviewed(read_reviewed(paths, labels), test_share=test_share, validation_share=validation_share, seed=seed)
    return {split: reviewed_examples(articles, labels) for split, articles in placed.items()}
