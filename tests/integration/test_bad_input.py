"""Defined behaviour for every kind of odd input (see the Classifier docstring), long
sentences scored over windows, and the threshold."""

import numpy as np
import pytest
import torch

import indosec

SHORT = "Sebuah bom mobil meledak di dekat pos pemeriksaan di Idlib."


@pytest.fixture(scope="module")
def clf(tiny_run):
    return indosec.load(str(tiny_run.run_dir), device="cpu")


def long_sentence(words: int = 120) -> str:
    parts = ["pasukan", "menyerang", "pos", "perbatasan", "dan", "kedua", "negara", "sepakat", "patroli", "bersama"]
    return " ".join(parts[i % len(parts)] + ("" if i % 7 else ",") for i in range(words)) + "."


# --- types -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "bad, message",
    [
        (None, "got NoneType"),
        (b"Bom meledak.", "got bytes"),
        ([SHORT, None], "item 1 is NoneType"),
        ([SHORT, SHORT, b"Bom meledak."], r"item 2 is bytes, expected str; decode it first"),
        ([3.5], "item 0 is float"),
        ([SHORT, [SHORT]], "item 1 is list"),
        ({"text": SHORT}, "got dict"),
    ],
)
def test_non_strings_are_type_errors_naming_the_index(clf, bad, message):
    with pytest.raises(TypeError, match=message):
        clf.predict(bad)


def test_an_empty_list_gives_an_empty_list(clf):
    assert clf.predict([]) == []
    assert clf.predict_proba([]).shape == (0, len(clf.labels))


# --- empty, control characters, length -----------------------------------------------------

@pytest.mark.parametrize(
    "bad, message",
    [
        ("", "item 0 is empty"),
        (" \t\n ", "item 0 is empty"),
        ("\x00\x07\x1b", "item 0 has nothing left after removing control characters"),
        ("\u200b\ufeff", "item 0 has nothing left"),
    ],
)
def test_empty_text_is_a_value_error_naming_the_index(clf, bad, message):
    with pytest.raises(ValueError, match=message):
        clf.predict(bad)


def test_control_and_zero_width_characters_are_removed_before_scoring(clf):
    dirty = "Sebuah bom\x00 mobil meledak\u200b di dekat pos\x1b pemeriksaan di\u00a0Idlib."
    assert clf.predict_proba([dirty]) == pytest.approx(clf.predict_proba([SHORT]), abs=1e-6)


def test_a_megabyte_string_is_rejected_with_a_pointer_to_predict_document(clf):
    huge = "Bom meledak di pasar. " * 50_000
    with pytest.raises(ValueError, match=r"item 1 is 1,100,000 characters long \(limit 10,000\).*predict_document"):
        clf.predict([SHORT, huge])


# --- emoji and other scripts ---------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["Bom meledak 💣🔥 di pasar.", "💣🔥😡", "انفجار سيارة مفخخة في إدلب", "中国海警船进入纳土纳海域", "Взрыв в Идлибе", "𝐁𝐨𝐦 meledak"],
)
def test_emoji_and_other_scripts_get_a_prediction(clf, text):
    pred = clf.predict(text)
    assert pred.label in clf.labels
    assert sum(pred.probabilities.values()) == pytest.approx(1, abs=1e-5)


# --- long sentences --------------------------------------------------------------------------

def test_max_length_comes_from_the_checkpoint_tokenizer(clf):
    assert clf.max_length == 64  # configs/tiny.yaml trains with max_length 64
    assert len(clf.tokenizer(long_sentence())["input_ids"]) > 2 * clf.max_length


def test_a_long_sentence_is_the_token_weighted_mean_of_its_windows(clf):
    text = long_sentence()
    enc = clf.tokenizer([text], truncation=True, max_length=clf.max_length, stride=clf.stride,
                        return_overflowing_tokens=True, padding=True, return_tensors="pt")
    enc.pop("overflow_to_sample_mapping")
    assert len(enc["input_ids"]) >= 3
    with torch.no_grad():
        windows = clf.backend.model(**enc).logits.numpy()
    tokens = enc["attention_mask"].sum(1).numpy()
    expected = (windows * tokens[:, None]).sum(0) / tokens.sum()  # token-weighted mean of window logits
    assert clf.logits([text])[0] == pytest.approx(expected, abs=1e-4)
    calibrated = torch.softmax(torch.from_numpy(expected) / clf.temperature, dim=-1).numpy()
    assert clf.predict_proba([text])[0] == pytest.approx(calibrated, abs=1e-5)
    # not just the first (truncated) window; the tiny model's logits move little with the input
    assert not np.allclose(expected, windows[0], rtol=0, atol=1e-7)


def test_long_and_short_sentences_mixed_keep_input_order_and_batch_size_does_not_matter(tiny_run, clf):
    texts = [long_sentence(150), SHORT, long_sentence(90), "Harga cabai naik.", long_sentence(40)]
    together = clf.predict_proba(texts)
    one_by_one = np.stack([clf.predict_proba([t])[0] for t in texts])
    small_batches = indosec.load(str(tiny_run.run_dir), device="cpu", batch_size=2).predict_proba(texts)
    assert together == pytest.approx(one_by_one, abs=1e-5)
    assert small_batches == pytest.approx(one_by_one, abs=1e-5)


# --- threshold -------------------------------------------------------------------------------

def test_threshold_turns_uncertain_labels_into_none(clf):
    texts = [SHORT, "Harga cabai naik."]
    plain = clf.predict(texts)
    assert all(p.label is None for p in clf.predict(texts, threshold=1.0))
    assert [p.label for p in clf.predict(texts, threshold=0.0)] == [p.label for p in plain]
    cut = (plain[0].score + plain[1].score) / 2
    routed = clf.predict(texts, threshold=cut)
    for p, q in zip(plain, routed):
        assert q.label == (p.label if p.score >= cut else None)
        assert q.score == p.score and q.probabilities == p.probabilities


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.5", True])
def test_a_threshold_outside_zero_one_is_rejected(clf, bad):
    with pytest.raises(ValueError, match="threshold must be a probability"):
        clf.predict(SHORT, threshold=bad)


# --- documents -------------------------------------------------------------------------------

def test_predict_document_labels_each_sentence_with_offsets_and_a_summary(clf):
    article = "Bom Meledak di Idlib\n\nDAMASKUS - Sebuah bom meledak di pasar. Tujuh orang tewas.\n(esn)"
    doc = clf.predict_document(article, threshold=0.0)
    assert [s.text for s in doc.sentences] == ["Bom Meledak di Idlib", "Sebuah bom meledak di pasar.", "Tujuh orang tewas."]
    assert all(article[s.start : s.end] == s.text for s in doc.sentences)
    assert [s.label for s in doc.sentences] == [p.label for p in clf.predict([s.text for s in doc.sentences])]
    assert set(doc.summary) == set(clf.labels)
    assert sum(v.count for v in doc.summary.values()) == 3 and doc.uncertain == 0
    assert sum(v.mean_probability for v in doc.summary.values()) == pytest.approx(1, abs=1e-5)


def test_predict_document_answers_for_the_whole_article_with_evidence(clf):
    article = "Bom Meledak di Idlib\n\nSebuah bom meledak di pasar. Tujuh orang tewas. Rusia dan Turki sepakat berpatroli."
    doc = clf.predict_document(article)
    found = {s.label for s in doc.sentences}
    assert set(doc.labels) == found
    assert [doc.summary[lab].evidence[0] for lab in doc.labels] == sorted(
        (doc.summary[lab].evidence[0] for lab in doc.labels), key=lambda i: -doc.sentences[i].score)
    for lab, summary in doc.summary.items():
        mine = [i for i, s in enumerate(doc.sentences) if s.label == lab]
        assert sorted(summary.evidence) == sorted(sorted(mine, key=lambda i: -doc.sentences[i].score)[:3])
        assert all(doc.sentences[i].score >= doc.sentences[j].score for i, j in zip(summary.evidence, summary.evidence[1:]))


def test_predict_document_with_a_high_threshold_counts_uncertain_sentences(clf):
    doc = clf.predict_document("Bom meledak di pasar. Tujuh orang tewas.", threshold=1.0)
    assert doc.uncertain == 2 and all(v.count == 0 and v.evidence == [] for v in doc.summary.values()) and doc.labels == []


@pytest.mark.parametrize("article", ["", "   ", "Baca Juga: Bom di Idlib"])
def test_predict_document_on_an_empty_article_gives_no_sentences(clf, article):
    doc = clf.predict_document(article)
    assert doc.sentences == [] and doc.uncertain == 0
    assert all(v.count == 0 and v.share == 0 for v in doc.summary.values())


def test_predict_document_rejects_non_strings(clf):
    with pytest.raises(TypeError, match="bytes"):
        clf.predict_document(b"Bom meledak.")
