"""Whole articles labelled sentence by sentence (`data/articles/{train,validation,test}.jsonl`):
validating the files, and their sentences as training examples (the article test split is
scored in document mode by `train.scores.documents`).

One article per line: `id`, `outlet_style`, `theatre`, `date`, `story`, `text` (the page as
scraped: headline, timestamp, dateline, paragraphs, furniture) and `sentences`, each with
`start`, `end` (offsets into `text`), `text`, `label` and `hard`. The sentences are what
`indosec.document.split_sentences` yields, so labels are for what the product sees.
"""

from __future__ import annotations

import re
from pathlib import Path

from indosec.document import split_sentences
from indosec.records import Row
from indosec.text import normalize_text
from train.data.validation import SPLITS, THEATRES, near_duplicates, raise_problems, read_labelled

ARTICLE_FIELDS = ("id", "outlet_style", "theatre", "date", "story", "text", "sentences")
OUTLET_STYLES = ("wire", "national_portal", "regional", "translated_state_media", "opinion", "partisan", "jihadist")
NEAR_DUPLICATE_ARTICLE = 0.5  # Jaccard of word 5-gram sets: a rewrite of the same article
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def article_paths(article_dir: str | Path) -> dict[str, Path]:
    return {split: Path(article_dir) / f"{split}.jsonl" for split in SPLITS}


def check_article(row: Row, labels) -> list[str]:
    """Problems of one article: fields, vocabularies, and sentences whose offsets, text or label
    are wrong, or a sentence of the product's splitter that no labelled sentence covers."""
    f, problems = row.fields, []
    missing = [k for k in ARTICLE_FIELDS if f.get(k) in (None, "", [])]
    if missing:
        return [f"{row.where}: missing field(s) {', '.join(missing)}"]
    unknown = sorted(set(f) - set(ARTICLE_FIELDS))
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    for name, vocab in (("outlet_style", OUTLET_STYLES), ("theatre", THEATRES)):
        if f[name] not in vocab:
            problems.append(f"unknown {name} {f[name]!r} (expected one of {', '.join(vocab)})")
    if not _DATE.fullmatch(str(f["date"])):
        problems.append(f"date {f['date']!r} is not YYYY-MM-DD")
    text, last_end = f["text"], 0
    if not isinstance(text, str) or not isinstance(f["sentences"], list):
        return [f"{row.where}: text must be a string and sentences a list"]
    for k, s in enumerate(f["sentences"], 1):
        where = f"sentence {k}"
        if not isinstance(s, dict) or not all(isinstance(s.get(x), int) for x in ("start", "end")):
            problems.append(f"{where}: needs integer start and end")
            continue
        if not last_end <= s["start"] < s["end"] <= len(text):
            problems.append(f"{where}: offsets {s['start']}-{s['end']} out of order or outside the text ({len(text)} characters)")
        elif "text" in s and s["text"] != text[s["start"]:s["end"]]:
            problems.append(f"{where}: text does not match the article at {s['start']}-{s['end']}")
        if s.get("label") not in labels:
            problems.append(f"{where}: unknown label {s.get('label')!r} (expected one of {', '.join(labels)})")
        if not isinstance(s.get("hard", False), bool):
            problems.append(f"{where}: hard={s.get('hard')!r}, expected true or false")
        last_end = max(last_end, s["end"])
    spans = [(s["start"], s["end"]) for s in f["sentences"] if isinstance(s, dict) and isinstance(s.get("start"), int)]
    for sp in split_sentences(text):
        if not any(a < sp.end and sp.start < b for a, b in spans):
            problems.append(f"the splitter's sentence at {sp.start}-{sp.end} has no label: {sp.text[:60]!r}")
    return [f"{row.where}: {f['id']}: {p}" for p in problems]


def validate_article_files(split_paths: dict[str, Path], labels) -> dict[str, list[Row]]:
    """Read and check every split of the article files; DataError listing every problem.
    Across splits: duplicate ids, a story in two splits, near-duplicate articles."""
    split_rows, problems = {}, []
    for split, path in split_paths.items():
        rows, errors = read_labelled(path)
        problems += errors
        for r in rows:
            problems += check_article(r, labels)
        split_rows[split] = rows
    problems += _across_splits(split_rows)
    raise_problems(problems, "article data")
    return split_rows


def _across_splits(split_rows: dict[str, list[Row]]) -> list[str]:
    problems, first_id, story_split = [], {}, {}
    placed = [(split, r) for split, rows in split_rows.items() for r in rows]
    for split, r in placed:
        aid, story = r.fields.get("id"), r.fields.get("story")
        if aid in first_id:
            problems.append(f"{r.where}: duplicate article id {aid!r} (first at {first_id[aid]})")
        first_id.setdefault(aid, r.where)
        if story in story_split and story_split[story][0] != split:
            problems.append(f"{r.where}: story {story!r} spans splits {story_split[story][0]} and {split} ({story_split[story][1]})")
        story_split.setdefault(story, (split, r.where))
    texts = [str(r.fields.get("text", "")) for _, r in placed]
    for i, j in near_duplicates(texts, _word_5grams, NEAR_DUPLICATE_ARTICLE):
        (split_a, a), (split_b, b) = placed[i], placed[j]
        if split_a != split_b:
            problems.append(f"{b.where}: near-duplicate of the article at {a.where} in another split")
    return problems


def _word_5grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def article_examples(rows: list[Row], labels) -> list[dict]:
    """Model-ready sentences of the articles, with the article's theatre and story (and
    `register` set to its outlet style)."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    return [
        {"id": f"{r.fields['id']}-{k}", "text": normalize_text(s["text"] if "text" in s else r.fields["text"][s["start"]:s["end"]]),
         "label": label2id[s["label"]], "theatre": r.fields["theatre"], "register": r.fields["outlet_style"],
         "story": r.fields["story"], "hard": bool(s.get("hard", False))}
        for r in rows for k, s in enumerate(r.fields["sentences"], 1)
    ]
