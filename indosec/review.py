"""Reviewing the model's sentences on a user's own articles: the queue (a seeded random order by
default) and one analyst's session over a labels file (`indosec.reviewed`). No Gradio here: the
Review tab (`indosec.review_app`) and the simulated loop (scripts/simulate_review.py) drive it.

Why random and not most-doubtful first: in the simulated loop (the article test split as the
user's news, gold labels revealed, 3 seeds), reviewing the sentences with the smallest margin
between the two most probable labels first did not beat a random order at 50, 100 or 200
reviewed sentences (held-out macro-F1 0.800 / 0.815 / 0.803 against 0.802 / 0.803 / 0.820;
the README's "Adapt it to your news" has the table). The differences are within the spread
between seeds, so the simplest order is the default. Doubt-first gathers the borderline
sentences of a few label pairs: its first 200 (seed 0) were 34% security_cooperation and 8%
attack, against 22% and 16% of the articles' sentences. `doubt` stays as an option. The
order is seeded, so a restarted review and a second tab see the same queue.

Keys: 1-5 pick a label (in the checkpoint's label order), Enter accepts the model's label, S
skips (the sentence goes to the end of the queue and is not written), U undoes the last
decision or skip of this session.
"""

from __future__ import annotations

import html
import random
from collections import deque
from dataclasses import dataclass

from indosec.labels import DEFINITIONS
from indosec.reviewed import LabelsFile, article_id, decision, key

ORDERS = ("random", "doubt")  # the first is the default (see above)
CONTEXT_CHARS = 600  # of the article shown on each side of the sentence


@dataclass(frozen=True)
class Item:
    """One sentence to review, inside its article."""

    article: str
    source: str
    text: str
    start: int
    end: int
    probabilities: dict[str, float]

    @property
    def model_label(self) -> str:
        return max(self.probabilities, key=self.probabilities.get)

    @property
    def score(self) -> float:
        return self.probabilities[self.model_label]

    @property
    def margin(self) -> float:
        return margin(self.probabilities.values())

    @property
    def key(self) -> tuple[str, int, int]:
        return self.article, self.start, self.end


def margin(probabilities) -> float:
    """The top probability minus the second: 0 is a coin toss between two labels."""
    top = sorted(probabilities, reverse=True)
    return float(top[0] - top[1]) if len(top) > 1 else 1.0


def order_items(items: list[Item], order: str = ORDERS[0], seed: int = 0) -> list[Item]:
    """The review order: `random` (seeded) or `doubt` (smallest top-2 margin first)."""
    if order == "doubt":
        return sorted(items, key=lambda it: it.margin)  # stable: ties keep reading order
    if order == "random":
        items = list(items)
        random.Random(seed).shuffle(items)
        return items
    raise ValueError(f"unknown review order {order!r}; use one of {', '.join(ORDERS)}")


def queue(clf, articles: list[tuple[str, str]], order: str = ORDERS[0], seed: int = 0) -> list[Item]:
    """Every sentence `predict_document` finds in the articles ((name, text) pairs), in review
    order; an article given twice (a file passed and uploaded) is queued once."""
    items, seen = [], set()
    for name, text in articles:
        if (aid := article_id(text)) in seen:
            continue
        seen.add(aid)
        items += [Item(aid, name, text, s.start, s.end, dict(s.probabilities)) for s in clf.predict_document(text).sentences]
    return order_items(items, order, seed)


class Session:
    """One analyst reviewing a queue into a labels file. Sentences already in the file (from an
    earlier session or another tab) are never shown."""

    def __init__(self, items: list[Item], labels_file: LabelsFile, *, annotator: str, checkpoint: str):
        self.labels_file, self.annotator, self.checkpoint = labels_file, annotator or "anonymous", checkpoint
        self.labels = labels_file.labels
        self.pending = deque(items)
        self.history: list[tuple[str, Item]] = []  # ("decided" | "skipped", item)
        self.skipped = 0
        self.on_screen: Item | None = None  # what the analyst saw when pressing a key

    def current(self) -> Item | None:
        """The sentence to show: the first pending one nobody has decided yet."""
        self.labels_file.refresh()
        while self.pending and self.pending[0].key in self.labels_file.done:
            self.pending.popleft()
        self.on_screen = self.pending[0] if self.pending else None
        return self.on_screen

    def press(self, pressed: str) -> str:
        """Apply a key (1-5, enter, s, u) or a label name; returns what happened, for the page."""
        pressed = pressed.strip().lower()
        item, self.on_screen = self.on_screen or self.current(), None  # the next key is for what `current` shows next
        if pressed in ("u", "undo"):
            return self.undo()
        if item is None:
            return "Nothing left to review."
        self.labels_file.refresh()
        if item.key in self.labels_file.done:  # another tab decided it while it was on screen here
            return "Already labelled in this file (another tab?); here is the next one."
        if pressed in ("s", "skip"):
            self.pending.rotate(-1)
            self.history.append(("skipped", item))
            self.skipped += 1
            return "Skipped; it comes back at the end."
        label = self._label_of(pressed, item)
        record = decision(item.text, item.start, item.end, label, model_label=item.model_label, model_score=item.score,
                          annotator=self.annotator, checkpoint=self.checkpoint, source=item.source, article=item.article)
        if not self.labels_file.append(record):
            return "Already labelled in this file (another tab?); here is the next one."
        self.pending.popleft()
        self.history.append(("decided", item))
        return f"{label}" + (" (accepted)" if label == item.model_label else f" (model said {item.model_label})")

    def undo(self) -> str:
        if not self.history:
            return "Nothing to undo."
        what, item = self.history.pop()
        if what == "skipped":
            self.pending.remove(item)
            self.skipped -= 1
        elif not self.labels_file.remove(item.key):
            return "That decision is no longer in the file."
        self.pending.appendleft(item)
        return f"Undone: {what} sentence back on screen."

    def _label_of(self, pressed: str, item: Item) -> str:
        if pressed in ("", "enter", "accept"):
            return item.model_label
        if pressed.isdigit() and 1 <= int(pressed) <= len(self.labels):
            return self.labels[int(pressed) - 1]
        if pressed in self.labels:
            return pressed
        raise ValueError(f"unknown key {pressed!r}: 1-{len(self.labels)}, enter, s or u")

    def counts_text(self) -> str:
        counts = self.labels_file.counts()
        done = sum(counts.values())
        shares = " · ".join(f"{lab} {n} ({n / done:.0%})" if done else f"{lab} 0" for lab, n in counts.items())
        return f"**{done} labelled** in `{self.labels_file.path.name}`: {shares}. Left in this queue: {len(self.pending)}; skipped: {self.skipped}."


def item_html(item: Item | None, labels: list[str]) -> str:
    """The sentence marked inside its article, the model's label and score, and the keys with
    each label's one-line definition."""
    if item is None:
        return "<p><b>Nothing left to review.</b> Load more articles, or retrain on what you labelled.</p>"
    a, b = max(0, item.start - CONTEXT_CHARS), min(len(item.text), item.end + CONTEXT_CHARS)
    before, sentence, after = (html.escape(item.text[x:y]) for x, y in ((a, item.start), (item.start, item.end), (item.end, b)))
    article = (("… " if a else "") + before + f'<mark id="review-sentence" style="background:#ffd166;padding:1px 2px">{sentence}</mark>'
               + after + (" …" if b < len(item.text) else "")).replace("\n", "<br>")
    second = sorted(item.probabilities.items(), key=lambda kv: -kv[1])[1] if len(item.probabilities) > 1 else ("", 0.0)
    keys = "".join(
        f"<li><b>{k}</b> <code>{html.escape(lab)}</code>{' ← model' if lab == item.model_label else ''} "
        f"({item.probabilities.get(lab, 0):.2f}): {html.escape(DEFINITIONS.get(lab, ''))}</li>"
        for k, lab in enumerate(labels, 1)
    )
    return (
        f'<div class="review-item" data-article="{item.article}" data-start="{item.start}" data-end="{item.end}">'
        f"<p>Model: <b>{html.escape(item.model_label)}</b> {item.score:.2f} (next: {html.escape(second[0])} {second[1]:.2f}; "
        f"margin {item.margin:.2f}) · {html.escape(item.source)}</p>"
        f'<div style="border:1px solid #ccc;border-radius:6px;padding:10px;max-height:320px;overflow:auto;line-height:1.7">{article}</div>'
        f"<ol style='font-size:13px'>{keys}</ol><p style='font-size:12px'>Enter accepts the model's label · S skips · U undoes</p></div>"
    )
