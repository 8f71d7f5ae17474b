"""The contrast suite and the contrastive training data: their checks, their scores, headline
casing, and the lower-casing tokenizer (model.lowercase)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indosec.labels import LABELS
from train.backbones import lowercasing
from train.data.contrast import read_rules, suite_examples, validate_suite
from train.data.contrastive import validate_contrastive
from train.data.sentences import validate_files
from train.data.validation import DataError
from train.scores.contrast import casing_flips, score_contrast, title_case

ROOT = Path(__file__).resolve().parents[2]
ATTACK, OTHER = LABELS.index("attack"), LABELS.index("other")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def suite_row(i, group, label, text, rule="clar-attack-scope", kind="contrast"):
    return {"id": f"c{i}", "group": group, "rule": rule, "kind": kind, "text": text, "label": label,
            "theatre": "indonesia", "register": "hard_news", "writer": "w1"}


CRIME = "Polisi menembak kaki seorang pencuri motor yang melawan saat ditangkap di Medan, Sabtu."
CONFLICT = "Polisi menembak kaki seorang anggota MIT Poso yang melawan saat ditangkap di Parigi, Sabtu."


def small_suite(tmp_path, rows, rules=("clar-attack-scope",), min_groups=1, monkeypatch=None):
    write_jsonl(tmp_path / "rules.jsonl", [{"rule": r, "section": f"section of {r}", "summary": "s"} for r in rules])
    write_jsonl(tmp_path / "suite.jsonl", rows)
    if monkeypatch:
        monkeypatch.setattr("train.data.contrast.MIN_GROUPS_PER_RULE", min_groups)
    return tmp_path


def test_the_project_suite_and_pairs_pass_and_cover_every_rule():
    rows, rules = validate_suite(ROOT / "data" / "contrast", LABELS)
    assert len(rows) >= 300 and len({r.fields["group"] for r in rows}) >= 80
    per_rule = {rule: {r.fields["group"] for r in rows if r.fields["rule"] == rule} for rule in rules}
    assert min(map(len, per_rule.values())) >= 3
    sentences = validate_files({s: ROOT / "data" / f"{s}.jsonl" for s in ("train", "validation", "test")}, LABELS)
    pairs = validate_contrastive(ROOT / "data" / "contrastive", sentences, LABELS, rules=rules)
    assert sum(map(len, pairs.values())) >= 1500
    # a group's members share most words and differ in label: that is what they are for
    groups = {}
    for r in pairs["train"]:
        groups.setdefault(r.fields["story"], set()).add(r.fields["label"])
    assert sum(len(labels) > 1 for labels in groups.values()) / len(groups) > 0.8


def test_a_suite_group_may_share_its_words_but_not_with_training_data(tmp_path, monkeypatch):
    suite = small_suite(tmp_path, [suite_row(1, "g1", "other", CRIME), suite_row(2, "g1", "attack", CONFLICT)], monkeypatch=monkeypatch)
    rows, rules = validate_suite(suite, LABELS)
    assert [e["label"] for e in suite_examples(rows, LABELS)] == [OTHER, ATTACK] and list(rules) == ["clar-attack-scope"]
    with pytest.raises(DataError, match=r"suite.jsonl:1: near-duplicate of the training or validation sentence at train.jsonl:7"):
        validate_suite(suite, LABELS, against=[("train.jsonl:7", CRIME.replace("Medan", "Binjai"))])


@pytest.mark.parametrize("rows, problem", [
    ([suite_row(1, "g1", "other", CRIME), suite_row(2, "g1", "other", CONFLICT)], "contrast group 'g1' has one label"),
    ([suite_row(1, "g1", "other", CRIME, kind="casing"), suite_row(2, "g1", "attack", CRIME.upper(), kind="casing")], "a variant keeps its label"),
    ([suite_row(1, "g1", "other", CRIME)], "group 'g1' has 1 sentences"),
    ([suite_row(1, "g1", "other", CRIME, rule="no-such-rule"), suite_row(2, "g1", "attack", CONFLICT, rule="no-such-rule")], "unknown rule 'no-such-rule'"),
    ([suite_row(1, "g1", "other", CRIME), suite_row(2, "g1", "attack", CONFLICT), suite_row(3, "g2", "other", CRIME + " Polisi")], "near-duplicate of .* in another group"),
])
def test_the_suite_validator_names_each_problem(tmp_path, monkeypatch, rows, problem):
    with pytest.raises(DataError, match=problem):
        validate_suite(small_suite(tmp_path, rows, monkeypatch=monkeypatch), LABELS)


def test_every_rule_of_the_catalogue_needs_enough_groups(tmp_path, monkeypatch):
    rows = [suite_row(1, "g1", "other", CRIME), suite_row(2, "g1", "attack", CONFLICT)]
    suite = small_suite(tmp_path, rows, rules=("clar-attack-scope", "dec-8c"), min_groups=1, monkeypatch=monkeypatch)
    with pytest.raises(DataError, match=r"fewer than 1 groups: dec-8c \(0\)"):
        validate_suite(suite, LABELS)


def pair(i, story, label, text, split_rule="clar-attack-scope"):
    return {"id": f"p{i}", "text": text, "label": label, "theatre": "indonesia", "register": "hard_news",
            "story": story, "hard": True, "rule": split_rule}


def test_contrastive_pairs_may_repeat_each_other_only_inside_their_group(tmp_path):
    sentence_rows = {"train": [], "validation": [], "test": []}
    rules = {"clar-attack-scope": {}}
    write_jsonl(tmp_path / "train.jsonl", [pair(1, "g1", "other", CRIME), pair(2, "g1", "attack", CONFLICT), pair(3, "g1", "other", CRIME.upper())])
    write_jsonl(tmp_path / "validation.jsonl", [pair(4, "g2", "other", "Dua kampung di Mimika berdamai lewat upacara adat setelah bentrok pekan lalu.")])
    assert {s: len(r) for s, r in validate_contrastive(tmp_path, sentence_rows, LABELS, rules=rules).items()} == {"train": 3, "validation": 1}
    write_jsonl(tmp_path / "validation.jsonl", [pair(4, "g2", "other", CRIME.replace("Medan", "Deli"))])
    with pytest.raises(DataError, match="validation.jsonl:1: near-duplicate of .*train.jsonl:1"):
        validate_contrastive(tmp_path, sentence_rows, LABELS, rules=rules)
    write_jsonl(tmp_path / "validation.jsonl", [pair(4, "g1", "other", "Dua kampung di Mimika berdamai lewat upacara adat.", split_rule="dec-99")])
    with pytest.raises(DataError) as err:
        validate_contrastive(tmp_path, sentence_rows, LABELS, rules=rules)
    assert "unknown rule 'dec-99'" in str(err.value) and "story 'g1' spans splits ['train', 'validation']" in str(err.value)


def test_contrastive_pairs_are_checked_against_the_sentence_files_but_those_not_again(tmp_path):
    from train.data.sentences import read_labelled

    rules = {"clar-attack-scope": {}}
    sentence = {"id": "s1", "text": CRIME.replace("Medan", "Binjai"), "label": "other", "theatre": "indonesia", "register": "hard_news", "story": "s"}
    # two sentence rows that nearly repeat each other are the sentence validator's finding, not this one's
    write_jsonl(tmp_path / "sentences.jsonl", [sentence, {**sentence, "id": "s2", "text": CRIME.replace("Medan", "Deli")}])
    sentence_rows = {"train": read_labelled(tmp_path / "sentences.jsonl")[0], "validation": [], "test": []}
    (tmp_path / "pairs").mkdir()
    write_jsonl(tmp_path / "pairs" / "validation.jsonl", [pair(4, "g2", "other", "Dua kampung di Mimika berdamai lewat upacara adat setelah bentrok pekan lalu.")])
    write_jsonl(tmp_path / "pairs" / "train.jsonl", [pair(1, "g1", "other", "Warga Mimika menggelar upacara adat untuk mengakhiri sengketa tanah ulayat."),
                                                      pair(2, "g1", "attack", "Warga Mimika menyerang kampung tetangga dengan panah dalam sengketa tanah ulayat.")])
    assert len(validate_contrastive(tmp_path / "pairs", sentence_rows, LABELS, rules=rules)["train"]) == 2
    write_jsonl(tmp_path / "pairs" / "train.jsonl", [pair(1, "g1", "other", CRIME), {**pair(2, "g1", "attack", CONFLICT), "id": "s2"}])
    with pytest.raises(DataError) as err:
        validate_contrastive(tmp_path / "pairs", sentence_rows, LABELS, rules=rules)
    assert "train.jsonl:1: near-duplicate of" in str(err.value) and "sentences.jsonl:1" in str(err.value)
    assert "pairs/train.jsonl:2: duplicate id 's2' (first at" in str(err.value)
    assert "sentences.jsonl:2: near-duplicate" not in str(err.value)


def test_title_case_follows_indonesian_headlines():
    assert title_case("Polisi menembak dua anggota MIT di Poso, Sabtu (12/3).") == "Polisi Menembak Dua Anggota MIT di Poso, Sabtu (12/3)."
    assert title_case("al-Baghdadi tewas dalam serangan pasukan khusus AS") == "al-Baghdadi Tewas dalam Serangan Pasukan Khusus AS"


def test_contrast_scores_count_sentences_and_whole_groups():
    examples = [{"id": str(i), "text": t, "label": g, "group": grp, "rule": rule, "kind": "contrast"}
                for i, (t, g, grp, rule) in enumerate([("a", ATTACK, "g1", "r1"), ("b", OTHER, "g1", "r1"), ("c", ATTACK, "g2", "r2"), ("d", OTHER, "g2", "r2")])]
    scores = score_contrast([ATTACK, ATTACK, ATTACK, OTHER], examples, LABELS, {"r2": {}, "r1": {}})
    assert (scores["accuracy"], scores["group_consistency"]) == (0.75, 0.5)
    assert list(scores["by_rule"]) == ["r2", "r1"]  # catalogue order
    assert scores["by_rule"]["r1"] == {"sentences": 2, "groups": 1, "accuracy": 0.5, "group_consistency": 0.0}
    assert [s["predicted"] for s in scores["failed_groups"][0]["sentences"]] == ["attack", "attack"]


def test_casing_flips_counts_sentences_whose_label_changes():
    # a stand-in that calls anything with a capital after the first letter an attack
    predict = lambda texts: np.array([ATTACK if any(c.isupper() for c in t[1:]) else OTHER for t in texts])  # noqa: E731
    flips = casing_flips(predict, ["polisi menangkap pencuri", "ISIS menyerang", "warga panen"], LABELS)
    assert (flips["title"], flips["upper"], flips["either"]) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert flips["examples"][0] == {"casing": "title", "text": "Polisi Menangkap Pencuri", "from": "other", "to": "attack"}


def test_lowercasing_tokenizer_survives_saving(tmp_path):
    from tokenizers import BertWordPieceTokenizer
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    wordpiece = BertWordPieceTokenizer(lowercase=False)
    wordpiece.train_from_iterator(["Polisi menembak anggota MIT di Poso", "POLISI"], vocab_size=200, min_frequency=1)
    cased = PreTrainedTokenizerFast(tokenizer_object=wordpiece._tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                    cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    assert cased.tokenize("POLISI") != cased.tokenize("polisi")
    lowercasing(cased).save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.tokenize("POLISI Menembak") == loaded.tokenize("polisi menembak")
    enc = loaded("Polisi MENEMBAK", return_offsets_mapping=True)
    assert [o for o in enc["offset_mapping"] if o != (0, 0)][-1][1] == len("Polisi MENEMBAK")  # offsets into the original
    assert lowercasing(loaded) is loaded  # already lower-casing: left as it is
    shutil.rmtree(tmp_path)
