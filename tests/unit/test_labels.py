"""indosec/labels.py owns the label names, definitions and examples; every Markdown copy of them
(README.md, data/GUIDELINES.md, model_card.md) and every reader (the card, the demo) agrees."""

import re

import pytest
import yaml

from indosec.labels import DEFINITIONS, EXAMPLES, LABELS, definition_table
from tests.conftest import ROOT


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_every_label_has_a_one_line_definition_and_one_or_two_examples():
    assert list(DEFINITIONS) == list(LABELS) == list(EXAMPLES)
    for label in LABELS:
        assert DEFINITIONS[label].strip() and "\n" not in DEFINITIONS[label] and "|" not in DEFINITIONS[label]
        assert 1 <= len(EXAMPLES[label]) <= 2 and all(s.strip() and "\n" not in s for s in EXAMPLES[label])


def test_the_table_has_a_row_per_label_and_says_so_for_an_unknown_label():
    table = definition_table(["attack", "smuggling"]).splitlines()
    assert table[:2] == ["| label | definition |", "|---|---|"]
    assert table[2] == f"| `attack` | {DEFINITIONS['attack']} |"
    assert table[3] == "| `smuggling` | (no definition recorded) |"


@pytest.mark.parametrize("name", ["README.md", "model_card.md"])
def test_readme_and_the_reference_card_show_the_modules_table(name):
    assert definition_table() in read(name), f"{name}'s label table differs from indosec/labels.py: paste definition_table()"


def test_the_guidelines_open_each_label_with_the_modules_definition():
    labels_part = read("data/GUIDELINES.md").split("## The labels", 1)[1].split("\n## ", 1)[0]
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", labels_part, flags=re.MULTILINE | re.DOTALL))
    assert list(sections) == list(LABELS)
    for label, body in sections.items():
        lead = " ".join(body.split("\n- ", 1)[0].split())  # the paragraph before the In/Out list
        assert lead == DEFINITIONS[label], f"data/GUIDELINES.md: the definition of `{label}` differs from indosec/labels.py"


def test_the_reference_cards_widget_shows_the_modules_examples():
    meta = yaml.safe_load(read("model_card.md").split("---\n", 2)[1])
    widget = [w["text"] for w in meta["widget"]]
    assert widget and all(any(text in examples for examples in EXAMPLES.values()) for text in widget)
