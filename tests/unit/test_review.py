"""The review queue and one analyst's session (indosec/review.py), with fixed probabilities
where a model would give them: doubt order, keys, skip, undo, resume, counts."""

import pytest

from indosec.document import split_sentences
from indosec.labels import LABELS
from indosec.review import Item, Session, item_html, margin, order_items
from indosec.reviewed import LabelsFile, article_id

TEXT = "Bom meledak di pasar kota. Polisi menyelidiki pelaku. Presiden menyerukan warga tetap tenang."


def items(text=TEXT):
    spans = split_sentences(text)
    tops = [(0.9, 0.05), (0.4, 0.35), (0.6, 0.3)]  # margins 0.85, 0.05, 0.30
    out = []
    for span, (a, b) in zip(spans, tops):
        probs = dict.fromkeys(LABELS, (1 - a - b) / 3) | {"attack": a, "other": b}
        out.append(Item(article_id(text), "berita.txt", text, span.start, span.end, probs))
    return out


def session(path, annotator="ana"):
    return Session(order_items(items(), "doubt"), LabelsFile(path, LABELS), annotator=annotator, checkpoint="ckpt")


def test_doubt_order_is_the_smallest_margin_first_and_random_is_seeded_and_the_default():
    assert margin([0.4, 0.35, 0.25]) == pytest.approx(0.05)
    assert [round(it.margin, 2) for it in order_items(items(), "doubt")] == [0.05, 0.30, 0.85]
    assert order_items(items(), "random", 1) == order_items(items(), "random", 1)
    assert order_items(items()) == order_items(items(), "random", 0)  # the simulated loop's winner
    with pytest.raises(ValueError, match="unknown review order 'best'"):
        order_items(items(), "best")


def test_keys_label_accept_skip_and_undo(tmp_path):
    s = session(tmp_path / "labels.jsonl")
    first = s.current()
    assert s.press("4") == "propaganda (model said attack)"
    second = s.current()
    assert s.press("s").startswith("Skipped") and s.current() != second
    assert s.press("u").startswith("Undone") and s.current() == second
    assert s.press("enter") == "attack (accepted)"
    assert s.press("u").startswith("Undone") and s.current() == second and second.key not in s.labels_file.done
    s.press("enter")
    assert {k: r["sentences"][0]["label"] for k, r in s.labels_file.done.items()} == {first.key: "propaganda", second.key: "attack"}
    assert "**2 labelled**" in s.counts_text() and "propaganda 1 (50%)" in s.counts_text()
    with pytest.raises(ValueError, match="unknown key '9'"):
        s.press("9")


def test_a_new_session_on_the_same_file_resumes_after_the_done_sentences(tmp_path):
    s = session(tmp_path / "labels.jsonl")
    s.current()
    s.press("1")
    s.press("2")
    resumed = session(tmp_path / "labels.jsonl")
    assert resumed.current() == order_items(items(), "doubt")[2]
    resumed.press("enter")
    assert resumed.current() is None and resumed.press("1") == "Nothing left to review."


def test_a_sentence_another_tab_decided_while_it_was_on_screen_is_not_written_again(tmp_path):
    one, two = session(tmp_path / "labels.jsonl"), session(tmp_path / "labels.jsonl", "budi")
    assert one.current() == two.current()
    one.press("1")
    assert two.press("2").startswith("Already labelled")
    assert len((tmp_path / "labels.jsonl").read_text().splitlines()) == 1


def test_the_sentence_is_marked_in_its_article_with_the_definitions():
    it = order_items(items(), "doubt")[0]
    page = item_html(it, list(LABELS))
    assert f'<mark id="review-sentence" style="background:#ffd166;padding:1px 2px">{TEXT[it.start:it.end]}</mark>' in page
    assert "Model: <b>attack</b> 0.40" in page and "Ordinary crime and cyberattacks" in page
    assert "Nothing left to review" in item_html(None, list(LABELS))


def test_an_article_given_twice_is_queued_once():
    from indosec.review import queue

    class StandIn:
        def predict_document(self, text):
            sentences = [type("S", (), {"start": s.start, "end": s.end, "probabilities": dict.fromkeys(LABELS, 0.2)})()
                         for s in split_sentences(text)]
            return type("Doc", (), {"sentences": sentences})()

    queued = queue(StandIn(), [("berita.jsonl:1", TEXT), ("uploaded.jsonl:1", TEXT)])
    assert len(queued) == len(split_sentences(TEXT)) and {it.source for it in queued} == {"berita.jsonl:1"}
