"""Whole articles labelled sentence by sentence (`data/articles/{train,validation,test}.jsonl`):
validating the files, their sentences as training examples, and the document-level evaluation.

One article per line: `id`, `outlet_style`, `theatre`, `date`, `story`, `text` (the page as
scraped: headline, timestamp, dateline, paragraphs, furniture) and `sentences`, each with
`start`, `end` (offsets into `text`), `text`, `label` and `hard`. The sentences are what
`indosec.document.split_sentences` yields, so labels are for what the product sees.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np

from indosec.document import split_sentences
from indosec.text import normalize_text
from train.data import SPLITS, THEATRES, Row, raise_problems, read_rows
from train.metrics import bootstrap_ci, classification_report

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
        rows, errors = read_rows(path)
        problems += errors
        for r in rows:
            problems += check_article(r, labels)
        split_rows[split] = rows
    problems += _across_splits(split_rows)
    raise_problems(problems, "article data")
    return split_rows


def _across_splits(split_rows: dict[str, list[Row]]) -> list[str]:
    problems, first_id, story_split = [], {}, {}
    shingles = []
    for split, rows in split_rows.items():
        for r in rows:
            aid, story = r.fields.get("id"), r.fields.get("story")
            if aid in first_id:
                problems.append(f"{r.where}: duplicate article id {aid!r} (first at {first_id[aid]})")
            first_id.setdefault(aid, r.where)
            if story in story_split and story_split[story][0] != split:
                problems.append(f"{r.where}: story {story!r} spans splits {story_split[story][0]} and {split} ({story_split[story][1]})")
            story_split.setdefault(story, (split, r.where))
            words = re.findall(r"\w+", str(r.fields.get("text", "")).casefold())
            shingles.append((split, r, {tuple(words[i:i + 5]) for i in range(max(1, len(words) - 4))}))
    for i, (split_a, a, sa) in enumerate(shingles):
        for split_b, b, sb in shingles[i + 1:]:
            if split_a != split_b and len(sa & sb) / len(sa | sb) >= NEAR_DUPLICATE_ARTICLE:
                problems.append(f"{b.where}: near-duplicate of the article at {a.where} in another split")
    return problems


def article_examples(rows: list[Row], labels, *, limit: int | None = None, seed: int = 0) -> list[dict]:
    """Model-ready sentences of the articles, with the article's theatre and story (and
    `register` set to its outlet style); `limit` keeps a seeded sample of that many."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    out = [
        {"id": f"{r.fields['id']}-{k}", "text": normalize_text(s["text"] if "text" in s else r.fields["text"][s["start"]:s["end"]]),
         "label": label2id[s["label"]], "theatre": r.fields["theatre"], "register": r.fields["outlet_style"],
         "story": r.fields["story"], "hard": bool(s.get("hard", False))}
        for r in rows for k, s in enumerate(r.fields["sentences"], 1)
    ]
    if limit is not None and limit < len(out):
        keep = sorted(random.Random(seed).sample(range(len(out)), limit))
        out = [out[i] for i in keep]
    return out


def evaluate_documents(clf, rows: list[Row], labels: list[str], *, baseline_predict=None) -> dict:
    """Document mode on whole labelled articles, as a user meets it: `predict_document` splits
    and labels each article. Each gold sentence takes the label of the predicted sentence that
    overlaps it most (`other` if the splitter dropped it). Returns sentence metrics within
    articles, per-label article recall ("did we find the attack in this article?"), the
    splitter's drops, merges and splits against the gold sentences, and the same sentence and
    article figures for `baseline_predict` (texts -> label ids) on the gold sentences."""
    other = labels.index("other") if "other" in labels else None
    gold, pred, base_texts = [], [], []
    per_article_gold, per_article_pred = [], []
    splitter = {"dropped": [], "merged": [], "split": []}
    for r in rows:
        f = r.fields
        doc = clf.predict_document(f["text"])
        spans = [(s.start, s.end, labels.index(s.label)) for s in doc.sentences]
        g_ids, p_ids = [], []
        for s in f["sentences"]:
            overlaps = [(min(b, s["end"]) - max(a, s["start"]), lab) for a, b, lab in spans if a < s["end"] and s["start"] < b]
            if not overlaps:
                splitter["dropped"].append(f"{f['id']}: {f['text'][s['start']:s['end']][:80]}")
            elif len(overlaps) > 1:
                splitter["split"].append(f"{f['id']}: {f['text'][s['start']:s['end']][:80]}")
            g_ids.append(labels.index(s["label"]))
            p_ids.append(max(overlaps)[1] if overlaps else other)
            base_texts.append(normalize_text(f["text"][s["start"]:s["end"]]))
        for a, b, _ in spans:
            if sum(1 for s in f["sentences"] if s["start"] < b and a < s["end"]) > 1:
                splitter["merged"].append(f"{f['id']}: {f['text'][a:b][:80]}")
        gold += g_ids
        pred += p_ids
        per_article_gold.append(set(g_ids))
        per_article_pred.append({lab for _, _, lab in spans})
    result = {
        "n_articles": len(rows), "n_sentences": len(gold),
        "model": _document_scores(gold, pred, per_article_gold, per_article_pred, labels, other),
        "splitter": {k: {"count": len(v), "examples": v[:10]} for k, v in splitter.items()},
    }
    if baseline_predict is not None and gold:
        base = [int(x) for x in baseline_predict(base_texts)]
        offsets = np.cumsum([0] + [len(r.fields["sentences"]) for r in rows])
        base_sets = [set(base[offsets[i]:offsets[i + 1]]) for i in range(len(rows))]
        result["baseline"] = _document_scores(gold, base, per_article_gold, base_sets, labels, other)
    return result


def _document_scores(gold, pred, gold_sets, pred_sets, labels, other) -> dict:
    scores = {k: v for k, v in classification_report(pred, gold, labels).items() if k in ("accuracy", "macro_f1", "weighted_f1", "per_class")}
    scores["ci"] = bootstrap_ci(gold, pred)
    recall = {}
    for k, lab in enumerate(labels):
        if k == other:
            continue
        having = [i for i, g in enumerate(gold_sets) if k in g]
        found = sum(1 for i in having if k in pred_sets[i])
        flagged = [i for i, p in enumerate(pred_sets) if k in p]
        recall[lab] = {
            "articles": len(having), "found": found, "recall": found / len(having) if having else None,
            "flagged": len(flagged), "precision": sum(1 for i in flagged if k in gold_sets[i]) / len(flagged) if flagged else None,
        }
    scores["article_recall"] = recall
    return scores


def documents_markdown(docs: dict) -> str:
    """The report's document-level section."""
    lines = [
        f"{docs['n_articles']} whole articles of the article test split, {docs['n_sentences']} labelled sentences, "
        "run through `predict_document` as a user would. Sentence figures count a sentence the splitter "
        "dropped as `other`; intervals are 95% bootstrap intervals over sentences.",
        "",
        "| | sentence accuracy | sentence macro-F1 | 95% CI |",
        "|---|---|---|---|",
    ]
    for name in ("model", "baseline"):
        if name in docs:
            s = docs[name]
            lo, hi = s["ci"]["macro_f1"]
            lines.append(f"| {name} | {s['accuracy']:.3f} | **{s['macro_f1']:.3f}** | [{lo:.3f}, {hi:.3f}] |")
    lines += ["", "Per label, over articles: recall = share of the articles containing the label where at least one "
              "sentence was predicted with it; precision = share of the articles flagged with it that contain it.", "",
              "| label | articles with it | model recall | model precision | baseline recall | baseline precision |",
              "|---|---|---|---|---|---|"]
    fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    for lab, m in docs["model"]["article_recall"].items():
        b = docs.get("baseline", {}).get("article_recall", {}).get(lab, {})
        lines.append(f"| {lab} | {m['articles']} | {fmt(m['recall'])} | {fmt(m['precision'])} | {fmt(b.get('recall'))} | {fmt(b.get('precision'))} |")
    sp = docs["splitter"]
    lines += ["", f"Splitter against the labelled sentences: {sp['dropped']['count']} dropped, {sp['merged']['count']} merged "
              f"(one predicted sentence over several labelled ones), {sp['split']['count']} cut in pieces."]
    for kind in ("dropped", "merged", "split"):
        lines += [f"- {kind}: {e}" for e in sp[kind]["examples"]]
    return "\n".join(lines)


def add_article_sentences(splits: dict[str, list[dict]], data_args, seed: int) -> dict[str, list[Row]]:
    """Validate the article files of `data_args.article_dir`; with `train_on_articles`, append
    their train and validation sentences to `splits` (train sampled to
    `max_article_train_samples`). Returns the article rows by split (the test ones are
    evaluated in document mode, never trained on)."""
    rows = validate_article_files(article_paths(data_args.article_dir), data_args.labels)
    if data_args.train_on_articles:
        splits["train"] = splits["train"] + article_examples(rows["train"], data_args.labels, limit=data_args.max_article_train_samples, seed=seed)
        splits["validation"] = splits["validation"] + article_examples(rows["validation"], data_args.labels)
    return rows
