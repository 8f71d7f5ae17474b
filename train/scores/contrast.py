"""The contrast suite scored (metrics.json's `contrast`) and headline casing measured (`casing`).

Accuracy counts sentences; group consistency counts groups whose every sentence is right, which
is what tells a model that reads the rule from one that reads the words: in a contrast group the
shared words point one way and only the rule tells the members apart.

Casing: a sentence rendered as Indonesian portals print headlines (Title Case: Detik, Kompas,
Okezone) and in capitals should keep its label; the flip rate is the share of sentences whose
predicted label changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

# Words that stay lower case inside a Title Case headline of an Indonesian portal.
LOWER_IN_TITLES = frozenset(
    "di ke dari dan yang untuk dengan pada atas oleh dalam bagi atau serta tentang terhadap hingga sampai "
    "karena agar antara akan sebagai per vs".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
N_EXAMPLES = 10


def title_case(text: str) -> str:
    """'Polisi menembak dua anggota MIT di Poso' -> 'Polisi Menembak Dua Anggota MIT di Poso':
    each word capitalised except the small function words (after the first word); a word with a
    capital past its first letter (MIT, ParsToday, al-Baghdadi) keeps its spelling."""

    def fix(m: re.Match) -> str:
        word = m.group(0)
        if any(c.isupper() for c in word[1:]):
            return word
        if m.start() > 0 and word.lower() in LOWER_IN_TITLES:
            return word.lower()
        return word[:1].upper() + word[1:]

    return _WORD.sub(fix, text)


CASINGS: dict[str, Callable[[str], str]] = {"title": title_case, "upper": str.upper}


def score_contrast(pred: Sequence[int], examples: list[dict], labels: list[str], rules: dict[str, dict] | None = None) -> dict:
    """Accuracy and group consistency overall, per rule (in catalogue order) and per kind, and
    the groups that failed (at most N_EXAMPLES, with every member's gold and predicted label)."""
    hits = [int(p) == e["label"] for p, e in zip(pred, examples)]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        groups[e["group"]].append(i)

    def summary(members: list[int]) -> dict:
        names = {examples[i]["group"] for i in members}
        return {
            "sentences": len(members), "groups": len(names),
            "accuracy": sum(hits[i] for i in members) / len(members) if members else None,
            "group_consistency": sum(all(hits[i] for i in groups[g]) for g in names) / len(names) if names else None,
        }

    order = list(rules or {}) + sorted({e["rule"] for e in examples} - set(rules or {}))
    failed = [g for g, members in groups.items() if not all(hits[i] for i in members)]
    return {
        **summary(list(range(len(examples)))),
        "by_rule": {r: summary([i for i, e in enumerate(examples) if e["rule"] == r]) for r in order if any(e["rule"] == r for e in examples)},
        "by_kind": {k: summary([i for i, e in enumerate(examples) if e["kind"] == k]) for k in sorted({e["kind"] for e in examples})},
        "failed_groups": [
            {"group": g, "rule": examples[groups[g][0]]["rule"],
             "sentences": [{"text": examples[i]["text"], "gold": labels[examples[i]["label"]], "predicted": labels[int(pred[i])]} for i in groups[g]]}
            for g in failed[:N_EXAMPLES]
        ],
    }


def casing_flips(predict: Callable[[list[str]], Sequence[int]], texts: list[str], labels: list[str]) -> dict:
    """The share of `texts` whose predicted label changes when rendered in each casing, and in
    either; with a few flipped sentences for the report. `predict`: texts -> label ids."""
    base = [int(p) for p in predict(texts)]
    flipped: set[int] = set()
    result: dict = {"n": len(texts)}
    examples = []
    for name, render in CASINGS.items():
        rendered = [render(t) for t in texts]
        after = [int(p) for p in predict(rendered)]
        changed = [i for i in range(len(texts)) if after[i] != base[i]]
        result[name] = len(changed) / len(texts) if texts else None
        flipped.update(changed)
        examples += [{"casing": name, "text": rendered[i], "from": labels[base[i]], "to": labels[after[i]]} for i in changed[:N_EXAMPLES // 2]]
    result["either"] = len(flipped) / len(texts) if texts else None
    result["examples"] = examples
    return result
