"""Whole labelled articles (data/articles/): the validator, the split, their sentences as
examples, and the document-level evaluation (by hand, with a stand-in classifier)."""

import json
import runpy
import sys

import pytest

from indosec import LABELS
from indosec.document import split_sentences
from indosec.records import Row
from tests.conftest import ROOT
from train.data.articles import article_examples, article_paths, validate_article_files
from train.data.splits import seeded_sample
from train.data.validation import DataError
from train.scores.documents import evaluate_documents

ARTICLES = ROOT / "data" / "articles"
ARTICLE = "Bom Guncang Pasar Azaz\n\nAZAZ - Sebuah bom mobil meledak di pasar. Tujuh orang tewas.\n\nPolisi masih menyelidiki."


def article(aid="art-x-001", story="x-bom", text=ARTICLE, labels=("attack", "attack", "attack", "other"), **extra):
    spans = split_sentences(text)
    assert len(spans) == len(labels)
    return {"id": aid, "outlet_style": "wire", "theatre": "syria_iraq", "date": "2018-01-02", "story": story, "text": text,
            "sentences": [{"start": s.start, "end": s.end, "text": s.text, "label": lab, "hard": False} for s, lab in zip(spans, labels)]} | extra


def write(folder, splits):
    folder.mkdir(exist_ok=True)
    for split in ("train", "validation", "test"):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in splits.get(split, [])), encoding="utf-8")
    return article_paths(folder)


def test_the_project_articles_pass_and_meet_the_targets():
    rows = validate_article_files(article_paths(ARTICLES), LABELS)
    every = [s for split in rows.values() for r in split for s in r.fields["sentences"]]
    assert sum(map(len, rows.values())) >= 300 and len(every) >= 3500
    assert all(sum(s["label"] == lab for s in every) >= 250 for lab in LABELS)


def _bad_offsets(a):
    a["sentences"][1]["end"] += 3


def _text_mismatch(a):
    a["sentences"][1]["text"] = "Sebuah bom rakitan meledak di pasar."


def _unknown_label(a):
    a["sentences"][0]["label"] = "terrorism"


def _unlabelled_sentence(a):
    del a["sentences"][3]


def _unknown_style(a):
    a["outlet_style"] = "blog"


@pytest.mark.parametrize("damage, message", [
    (_bad_offsets, "sentence 2: text does not match"), (_text_mismatch, "sentence 2: text does not match the article"),
    (_unknown_label, "sentence 1: unknown label 'terrorism'"), (_unlabelled_sentence, "the splitter's sentence at 86-111 has no label"),
    (_unknown_style, "unknown outlet_style 'blog'"),
])
def test_each_kind_of_bad_article_is_named_with_file_line_and_id(tmp_path, damage, message):
    bad = article("art-x-002", story="x-other")
    damage(bad)
    paths = write(tmp_path / "a", {"train": [article(), bad]})
    with pytest.raises(DataError, match=f"train.jsonl:2: art-x-002: {message}"):
        validate_article_files(paths, LABELS)


def test_a_story_or_a_near_duplicate_in_two_splits_is_refused(tmp_path):
    paths = write(tmp_path / "a", {"train": [article()], "test": [article("art-x-009")]})
    with pytest.raises(DataError) as err:
        validate_article_files(paths, LABELS)
    assert "story 'x-bom' spans splits train and test" in str(err.value)
    assert "near-duplicate of the article at" in str(err.value)


def test_article_sentences_become_examples_and_a_sample_is_seeded():
    rows = validate_article_files(article_paths(ARTICLES), LABELS)["train"]
    every = article_examples(rows, LABELS)
    assert len(every) == sum(len(r.fields["sentences"]) for r in rows)
    assert every[0]["register"] in {"wire", "national_portal", "regional", "translated_state_media", "opinion", "partisan", "jihadist"}
    assert seeded_sample(every, 50, seed=1) == seeded_sample(every, 50, seed=1) != seeded_sample(every, 50, seed=2)
    assert len(seeded_sample(every, 50, seed=1)) == 50


class Fixed:
    """A stand-in classifier whose document mode labels every sentence `attack`, so the
    document figures can be computed by hand."""

    def predict_document(self, text):
        from indosec.results import SentencePrediction, document_prediction

        probs = {lab: float(lab == "attack") for lab in LABELS}
        sents = [SentencePrediction("attack", 1.0, probs, s.text, s.start, s.end) for s in split_sentences(text)]
        return document_prediction(sents, LABELS)


def test_document_evaluation_by_hand_and_the_splitter_against_the_gold_sentences():
    text = "Rusia dan Turki sepakat berpatroli bersama di Idlib. Bom meledak di pasar Azaz."
    gold_one_sentence = {"id": "a1", "text": text, "sentences": [
        {"start": 0, "end": 52, "label": "security_cooperation"}, {"start": 53, "end": len(text), "label": "attack"}]}
    merged = {"id": "a2", "text": "Judul Berita\nKalimat satu tentang bom.", "sentences": [
        {"start": 0, "end": 5, "label": "other"}, {"start": 6, "end": 12, "label": "other"}, {"start": 13, "end": 38, "label": "attack"}]}
    docs = evaluate_documents(Fixed(), [Row(1, gold_one_sentence, path="t"), Row(2, merged, path="t")], LABELS,
                              baseline_predict=lambda texts: [LABELS.index("other")] * len(texts))
    assert docs["n_articles"] == 2 and docs["n_sentences"] == 5
    assert docs["model"]["accuracy"] == pytest.approx(2 / 5)
    recall = docs["model"]["article_recall"]
    assert recall["attack"] == {"articles": 2, "found": 2, "recall": 1.0, "flagged": 2, "precision": 1.0}
    assert recall["security_cooperation"]["recall"] == 0.0 and recall["propaganda"]["articles"] == 0
    assert docs["baseline"]["article_recall"]["attack"]["found"] == 0
    assert docs["splitter"]["merged"]["count"] == 1 and docs["splitter"]["dropped"]["count"] == 0


def test_split_articles_keeps_stories_together_and_is_deterministic(tmp_path, monkeypatch, capsys):
    out1, out2 = tmp_path / "a", tmp_path / "b"
    inputs = [str(ARTICLES / f"{s}.jsonl") for s in ("train", "validation", "test")]
    for out in (out1, out2):
        monkeypatch.setattr(sys, "argv", ["split_data.py", "--articles", *inputs, "--train-only-batch", "7", "8", "--out", str(out)])
        runpy.run_path(str(ROOT / "scripts" / "split_data.py"), run_name="__main__")
    assert all((out1 / f).read_bytes() == (out2 / f).read_bytes() for f in ("train.jsonl", "validation.jsonl", "test.jsonl"))
    assert all((out1 / f).read_bytes() == (ARTICLES / f).read_bytes() for f in ("train.jsonl", "validation.jsonl", "test.jsonl"))
    validate_article_files(article_paths(out1), LABELS)
