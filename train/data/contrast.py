"""The contrast suite (`data/contrast/`): sentences grouped so that words alone cannot label them.
Never trained or tuned on; `train.scores.contrast` scores it per rule and per group.

`rules.jsonl` is the catalogue of what the suite covers: every In and Out bullet of each label,
each precedence rule, clarification and decision of data/GUIDELINES.md, and the label-preserving
variants, one line each (`rule`, `section`, `summary`). `suite.jsonl` has one sentence per line:

    id, text, label, theatre, register   as in the sentence data
    group    2-4 sentences that share most of their words
    rule     the catalogue rule the group tests
    kind     contrast: the group's labels differ by that rule;
             casing / names: the same sentence in sentence case, Title Case and capitals, or with
             other places and names, so one label for the whole group
    writer   who wrote it (a rule's groups are written by someone who wrote none of its training data)

The contrastive training data (`train.data.contrastive`) uses the same rule ids.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from indosec.lengths import MAX_WORDS, MIN_WORDS
from indosec.records import Row
from indosec.text import normalize_text
from train.data.sentences import NEAR_DUPLICATE_JACCARD, REGISTERS, char_5grams, fingerprint
from train.data.validation import THEATRES, near_duplicates, raise_problems, read_labelled

SUITE_FILE, RULES_FILE = "suite.jsonl", "rules.jsonl"
SUITE_FIELDS = ("id", "group", "rule", "kind", "text", "label", "theatre", "register", "writer")
KINDS = ("contrast", "casing", "names")
LABEL_PRESERVING = ("casing", "names")
GROUP_SIZE = (2, 4)
MIN_GROUPS_PER_RULE = 3


def read_rules(path: str | Path) -> dict[str, dict]:
    """The rule catalogue: rule id -> {"section", "summary"}, in file order."""
    rows, errors = read_labelled(path)
    problems = list(errors)
    rules: dict[str, dict] = {}
    for r in rows:
        f = r.fields
        if not all(isinstance(f.get(k), str) and f[k] for k in ("rule", "section", "summary")):
            problems.append(f"{r.where}: needs non-empty rule, section and summary")
        elif f["rule"] in rules:
            problems.append(f"{r.where}: duplicate rule {f['rule']!r}")
        else:
            rules[f["rule"]] = {"section": f["section"], "summary": f["summary"]}
    raise_problems(problems, "rule catalogue")
    return rules


def validate_suite(contrast_dir: str | Path, labels, *, against: list[tuple[str, str]] = ()) -> tuple[list[Row], dict[str, dict]]:
    """Read and check the suite and its catalogue; DataError listing every problem. `against`:
    (where, text) of every training and validation sentence, which no suite sentence may
    nearly repeat. Returns the suite rows and the catalogue."""
    contrast_dir = Path(contrast_dir)
    rules = read_rules(contrast_dir / RULES_FILE)
    rows, problems = read_labelled(contrast_dir / SUITE_FILE)
    for r in rows:
        problems += check_suite_row(r, labels, rules)
    problems += _check_groups(rows, rules)
    problems += _check_duplicates(rows, against)
    raise_problems(problems, "contrast suite")
    return rows, rules


def check_suite_row(row: Row, labels, rules: dict) -> list[str]:
    f, problems = row.fields, []
    missing = [k for k in SUITE_FIELDS if f.get(k) in (None, "")]
    unknown = sorted(set(f) - set(SUITE_FIELDS))
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}")
    for name, vocab in (("label", labels), ("theatre", THEATRES), ("register", REGISTERS), ("rule", rules), ("kind", KINDS)):
        if f.get(name) not in (None, "") and f[name] not in vocab:
            problems.append(f"unknown {name} {f[name]!r}" + (f" (expected one of {', '.join(vocab)})" if name != "rule" else f" (not in {RULES_FILE})"))
    text = f.get("text")
    if isinstance(text, str) and not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
        problems.append(f"text has {len(text.split())} words (allowed {MIN_WORDS}-{MAX_WORDS})")
    elif "text" in f and not isinstance(text, str):
        problems.append("field text must be a string")
    return [f"{row.where}: {p}" for p in problems]


def _check_groups(rows: list[Row], rules: dict) -> list[str]:
    """Group sizes, one rule and kind per group, labels that differ (contrast) or agree
    (casing, names), and every catalogue rule covered by enough groups."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[str(r.fields.get("group"))].append(r)
    problems, per_rule = [], defaultdict(int)
    for name, members in groups.items():
        where = members[0].where
        low, high = GROUP_SIZE
        if not low <= len(members) <= high:
            problems.append(f"{where}: group {name!r} has {len(members)} sentences ({low}-{high} allowed)")
        kinds = {m.fields.get("kind") for m in members}
        group_rules = {m.fields.get("rule") for m in members}
        labels = {m.fields.get("label") for m in members}
        if len(kinds) > 1 or len(group_rules) > 1:
            problems.append(f"{where}: group {name!r} mixes kinds {sorted(map(str, kinds))} or rules {sorted(map(str, group_rules))}")
            continue
        kind = kinds.pop()
        if kind == "contrast" and len(labels) < 2:
            problems.append(f"{where}: contrast group {name!r} has one label; its sentences must differ in label")
        if kind in LABEL_PRESERVING and len(labels) > 1:
            problems.append(f"{where}: {kind} group {name!r} has labels {sorted(map(str, labels))}; a variant keeps its label")
        per_rule[group_rules.pop()] += 1
    thin = [f"{rule} ({per_rule[rule]})" for rule in rules if per_rule[rule] < MIN_GROUPS_PER_RULE]
    if thin and rows:
        problems.append(f"rules with fewer than {MIN_GROUPS_PER_RULE} groups: {', '.join(thin)}")
    return problems


def _check_duplicates(rows: list[Row], against: list[tuple[str, str]]) -> list[str]:
    """Duplicate ids; near-duplicates between groups of the suite (inside a group they are the
    point) and between the suite and any training or validation sentence."""
    problems, seen = [], {}
    for r in rows:
        rid = str(r.fields.get("id"))
        if rid in seen:
            problems.append(f"{r.where}: duplicate id {rid!r} (first at {seen[rid]})")
        seen.setdefault(rid, r.where)
    mine = [(r.where, str(r.fields.get("group")), r.fields.get("text")) for r in rows if isinstance(r.fields.get("text"), str)]
    everything = mine + [(where, None, text) for where, text in against]
    texts = [fingerprint(text) or "-" for _, _, text in everything]
    for i, j in near_duplicates(texts, char_5grams, NEAR_DUPLICATE_JACCARD, first=len(mine)):
        if j < len(mine):
            if mine[i][1] != mine[j][1]:  # inside one group, sharing words is the point
                problems.append(f"{mine[j][0]}: near-duplicate of {mine[i][0]} in another group")
        else:
            problems.append(f"{mine[i][0]}: near-duplicate of the training or validation sentence at {everything[j][0]}")
    return problems


def suite_examples(rows: list[Row], labels) -> list[dict]:
    """Model-ready suite sentences, with the group, rule and kind the scores group by."""
    label2id = {lab: i for i, lab in enumerate(labels)}
    return [
        {"id": str(f["id"]), "text": normalize_text(f["text"]), "label": label2id[f["label"]],
         "group": str(f["group"]), "rule": f["rule"], "kind": f["kind"]}
        for f in (r.fields for r in rows)
    ]


def where_texts(split_rows: dict[str, list[Row]], splits=("train", "validation")) -> list[tuple[str, str]]:
    """(where, text) of the sentence rows of `splits`, for `validate_suite(against=...)`."""
    return [(r.where, r.fields["text"]) for s in splits for r in split_rows.get(s, []) if isinstance(r.fields.get("text"), str)]

