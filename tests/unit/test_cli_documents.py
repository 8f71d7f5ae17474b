"""`indosec predict` reads files as the app does, without a model: a stand-in labels a sentence
`attack` when it mentions "bom", else `other`. Articles come one per .txt file (or standard
input), one per .jsonl line or .csv row, with their fields carried to the output; the input's
other columns are kept in sentence mode too; the file kinds a user meets get one clear line."""

import io
import json
import sys

import numpy as np
import pytest

from indosec import cli
from indosec.document import split_sentences
from indosec.labels import LABELS
from indosec.results import SentencePrediction, document_prediction, to_prediction

ARTICLE = "Bom meledak di pasar Azaz. Tujuh orang tewas. Warga kembali ke rumah."


class StandIn:
    batch_size, sort_window, max_chars, labels = 32, 256, 10_000, list(LABELS)

    def predict(self, texts, threshold=None):
        return [to_prediction(self._probs(t), self.labels, threshold) for t in texts]

    def predict_document(self, text, threshold=None):
        sents = []
        for s in split_sentences(text):
            p = to_prediction(self._probs(s.text), self.labels, threshold)
            sents.append(SentencePrediction(p.label, p.score, p.probabilities, s.text, s.start, s.end))
        return document_prediction(sents, self.labels)

    def _probs(self, text):
        best = self.labels.index("attack" if "bom" in text.lower() else "other")
        return np.where(np.arange(len(self.labels)) == best, 0.9, 0.1 / (len(self.labels) - 1))


@pytest.fixture
def predict(monkeypatch, capsys):
    monkeypatch.setattr(cli, "load", lambda *a, **k: StandIn())

    def run(*args, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(["predict", "--model", "stand-in", "--no-progress", *map(str, args)])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], err
    return run


def test_a_jsonl_file_is_one_article_per_line_with_its_fields(tmp_path, predict):
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps({"id": f"x{i}", "text": ARTICLE, "outlet": "kompas"}) + "\n" for i in (1, 2)), encoding="utf-8")
    code, docs, _ = predict("--document", src)
    assert code == 0 and len(docs) == 2
    assert [(d["document"], d["line"], d["id"], d["outlet"]) for d in docs] == [(str(src), 1, "x1", "kompas"), (str(src), 2, "x2", "kompas")]
    assert [s["text"] for s in docs[0]["sentences"]] == [s.text for s in split_sentences(ARTICLE)]
    assert docs[0]["labels"] == ["attack"]


def test_a_csv_file_is_one_article_per_row_and_its_header_is_no_sentence(tmp_path, predict):
    src = tmp_path / "articles.csv"
    src.write_text(f'id,text\na1,"{ARTICLE}"\na2,"Warga kembali ke rumah."\n', encoding="utf-8")
    code, docs, _ = predict("--document", src)
    assert code == 0 and [d["id"] for d in docs] == ["a1", "a2"]
    assert all("id,text" not in s["text"] for d in docs for s in d["sentences"])


def test_format_names_the_kind_of_a_document_file(tmp_path, predict):
    src = tmp_path / "articles.txt"
    src.write_text(json.dumps({"id": "x1", "text": ARTICLE}) + "\n", encoding="utf-8")
    code, docs, _ = predict("--document", src, "--format", "jsonl")
    assert code == 0 and docs[0]["id"] == "x1" and not docs[0]["sentences"][0]["text"].startswith("{")


def test_an_article_from_standard_input(predict):
    code, docs, _ = predict("--document", "-", stdin=ARTICLE)
    assert code == 0 and docs[0]["document"] == "<stdin>" and len(docs[0]["sentences"]) == 3


def test_a_bad_article_row_is_reported_and_the_others_labelled(tmp_path, predict):
    src = tmp_path / "articles.jsonl"
    src.write_text(json.dumps({"id": "x1", "text": ARTICLE}) + "\n{\"id\": \"x2\"\n", encoding="utf-8")
    code, docs, err = predict("--document", src)
    assert code == 1 and [d["id"] for d in docs] == ["x1"] and f"{src}:2: invalid JSON" in err


def test_a_bad_byte_in_a_text_article_is_reported_with_its_offset(tmp_path, predict):
    src = tmp_path / "artikel.txt"
    src.write_bytes(b"Bom meledak di pasar. Kapolda \xe9 tiba.")
    code, _, err = predict("--document", src)
    assert code == 2 and f"{src}: not valid UTF-8 (byte 30); save the file as UTF-8" in err


def test_sentence_mode_carries_the_other_columns(tmp_path, predict):
    src = tmp_path / "kalimat.csv"
    src.write_text("id,text,source,label\ns1,Bom meledak di pasar.,tempo,attack\n", encoding="utf-8")
    code, rows, _ = predict("--input", src)
    assert code == 0 and rows[0]["source"] == "tempo" and rows[0]["input_label"] == "attack" and rows[0]["label"] == "attack"
    assert list(rows[0])[:4] == ["line", "id", "source", "input_label"]


def test_a_tsv_file_needs_no_format(tmp_path, predict):
    src = tmp_path / "kalimat.tsv"
    src.write_text("id\ttext\ns1\tBom meledak di pasar, kata polisi.\n", encoding="utf-8")
    code, rows, _ = predict("--input", src)
    assert code == 0 and rows[0]["text"] == "Bom meledak di pasar, kata polisi."


def test_a_binary_file_is_said_once_to_be_no_text(tmp_path, predict):
    src = tmp_path / "gambar.txt"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\n\xff\xfe" * 20)
    code, rows, err = predict("--input", src)
    assert code == 2 and rows == [] and err.strip().splitlines() == [f"indosec: error: {src}: a binary file, not text"]


def test_a_latin1_line_gets_the_save_as_utf8_hint(tmp_path, predict):
    src = tmp_path / "lama.txt"
    src.write_bytes("Bom meledak di Poso.\nKapolda Sulteng tiba \xe9.\n".encode("latin-1"))
    code, rows, err = predict("--input", src)
    assert code == 1 and f"{src}:2: is not valid UTF-8; save the file as UTF-8" in err


def test_a_csv_output_name_is_refused_rather_than_filled_with_json(tmp_path, predict):
    code, _, err = predict("Bom meledak di pasar.", "--output", tmp_path / "hasil.csv")
    assert code == 2 and "the output is JSON Lines; name the file .jsonl" in err and not (tmp_path / "hasil.csv").exists()


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("indosec 0.")
