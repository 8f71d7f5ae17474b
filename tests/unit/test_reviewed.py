"""The labels file a review writes (indosec/reviewed.py) and how training and evaluation read it
(train/data/reviewed.py): valid article data, resumable, two writers, undo, the split-leak refusal."""

import json
import multiprocessing

import pytest

from indosec.document import split_sentences
from indosec.labels import LABELS
from indosec.reviewed import ARTICLE_FIELDS, LabelsFile, article_id, decision, key, read_decisions
from train.data.reviewed import read_reviewed, read_user_sentences, reviewed_examples, split_reviewed
from train.data.validation import DataError

ARTICLE = ("Bom Meledak di Pasar\n\nJAKARTA - Sebuah bom meledak di pasar kota pada Senin pagi. "
           "Polisi masih menyelidiki pelaku ledakan itu. Presiden menyerukan warga tetap tenang.")


def make(text=ARTICLE, n=0, label="attack", **kw):
    span = split_sentences(text)[n]
    return decision(text, span.start, span.end, label, model_label="other", model_score=0.41, annotator="ana", checkpoint="ckpt", **kw)


def test_a_decision_is_an_article_record_with_the_review_fields_and_reads_back(tmp_path):
    path = tmp_path / "labels.jsonl"
    assert LabelsFile(path, LABELS).append(make())
    rows, problems = read_decisions(path, LABELS)
    assert problems == [] and len(rows) == 1
    record = rows[0].fields
    assert set(ARTICLE_FIELDS) <= set(record) and record["id"] == article_id(ARTICLE) == record["story"]
    s = record["sentences"][0]
    assert s["text"] == ARTICLE[s["start"]:s["end"]] and s["label"] == "attack" and s["model_label"] == "other"
    assert {"annotator", "time", "checkpoint", "model_score"} <= set(s)


def test_reopening_resumes_and_a_done_sentence_is_refused_by_a_second_writer(tmp_path):
    path = tmp_path / "labels.jsonl"
    first, second = LabelsFile(path, LABELS), LabelsFile(path, LABELS)
    assert first.append(make(n=0)) and first.append(make(n=1, label="other"))
    assert not second.append(make(n=0, label="propaganda"))  # the other tab did it already
    assert second.append(make(n=2, label="other"))
    assert LabelsFile(path, LABELS).counts() == {**dict.fromkeys(LABELS, 0), "attack": 1, "other": 2}
    assert len(path.read_text().splitlines()) == 3


def test_undo_removes_only_that_line_and_keeps_a_bad_line_reported(tmp_path):
    path = tmp_path / "labels.jsonl"
    labels_file = LabelsFile(path, LABELS)
    labels_file.append(make(n=0))
    with open(path, "a") as f:
        f.write('{"id": "cut short')  # a crash in the middle of a write
    labels_file.append(make(n=1))
    assert labels_file.remove(key(make(n=1))) and not labels_file.remove(key(make(n=1)))
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and lines[1] == '{"id": "cut short'
    reopened = LabelsFile(path, LABELS)
    assert list(reopened.done) == [key(make(n=0))]
    assert reopened.problems and reopened.problems[0].startswith(f"{path}:2: invalid JSON")


def _write_many(path, offset):
    labels_file = LabelsFile(path, LABELS)
    for i in range(40):
        text = f"{ARTICLE} Artikel nomor {offset + i}."
        labels_file.append(make(text=text))


def test_two_processes_appending_at_once_leave_every_line_whole(tmp_path):
    path = tmp_path / "labels.jsonl"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_write_many, args=(path, k * 100)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rows, problems = read_decisions(path, LABELS)
    assert problems == [] and len(rows) == 80 and len({r.fields["id"] for r in rows}) == 80


def test_training_merges_an_articles_lines_and_refuses_a_sentence_twice(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(make(n=n)) + "\n" for n in (1, 0)))
    (article,) = read_reviewed([path], LABELS)
    assert [s["start"] for s in article["sentences"]] == sorted(s["start"] for s in article["sentences"])
    assert len(reviewed_examples([article], LABELS)) == 2
    with open(path, "a") as f:
        f.write(json.dumps(make(n=0, label="other")) + "\n")
    with pytest.raises(DataError, match=r"labels.jsonl:3: the sentence at .* is labelled twice \(first at .*labels.jsonl:2\)"):
        read_reviewed([path], LABELS)


def test_one_article_in_two_splits_is_refused_naming_both_lines(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(make(n=0) | {"split": "train"}) + "\n" + json.dumps(make(n=1) | {"split": "test"}) + "\n")
    with pytest.raises(DataError, match=r"labels.jsonl:2: article .* is put in split test here and in train at .*labels.jsonl:1"):
        read_reviewed([path], LABELS)


def test_one_story_in_two_splits_is_refused(tmp_path):
    path = tmp_path / "labels.jsonl"
    a = make() | {"split": "train", "story": "s1"}
    b = make(text=ARTICLE + " Tambahan.") | {"split": "test", "story": "s1"}
    path.write_text(json.dumps(a) + "\n" + json.dumps(b) + "\n")
    with pytest.raises(DataError, match="story 's1' would be in two splits: train"):
        split_reviewed(read_reviewed([path], LABELS), test_share=0.3, validation_share=0.1, seed=0)


def test_the_split_is_seeded_by_story_and_keeps_a_split_the_file_gives(tmp_path):
    path = tmp_path / "labels.jsonl"
    records = [make(text=f"{ARTICLE} Nomor {i}.") for i in range(20)]
    records[0]["split"] = "test"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    articles = read_reviewed([path], LABELS)
    one = split_reviewed(articles, test_share=0.3, validation_share=0.1, seed=0)
    assert one == split_reviewed(articles, test_share=0.3, validation_share=0.1, seed=0)
    # 19 stories drawn: round(5.7) = 6 to test, round(1.9) = 2 to validation; plus the one the file puts in test
    assert [len(one[s]) for s in ("train", "validation", "test")] == [11, 2, 7]
    assert records[0]["id"] in {a["id"] for a in one["test"]}


def test_a_plain_text_and_label_file_needs_no_ids_and_names_a_bad_line(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("text,label\nBom meledak di pasar kota.,attack\nCuaca cerah hari ini.,other\n")
    examples = read_user_sentences(path, LABELS)
    assert [e["id"] for e in examples] == ["mine.csv:2", "mine.csv:3"] and examples[0]["label"] == LABELS.index("attack")
    path.write_text("text,label\nBom meledak di pasar kota.,serangan\n")
    with pytest.raises(DataError, match=r"mine.csv:2: label 'serangan' is not one of"):
        read_user_sentences(path, LABELS)
