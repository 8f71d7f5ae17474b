"""`indosec app`, started on a free local port and driven with gradio_client as a browser would:
paste, upload good and bad files, move the threshold. Labels must be predict_document's."""

import json
import socket

import pytest

gradio_client = pytest.importorskip("gradio_client", reason="the app extra: pip install 'indosec[app]'")

from indosec.app import MAX_FILE_BYTES  # noqa: E402
from tests.unit.test_articles import ARTICLES  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tiny_run):
    import indosec
    from indosec.app import build_app

    clf = indosec.load(str(tiny_run.run_dir), device="cpu")
    page = build_app(clf)
    port = free_port()
    page.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield clf, gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
    page.close()


def articles(n=3):
    with open(ARTICLES / "test.jsonl", encoding="utf-8") as f:
        return [json.loads(next(f))["text"] for _ in range(n)]


def read_jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_a_pasted_article_and_uploaded_files_are_labelled_as_predict_document_labels_them(app, tmp_path):
    clf, client = app
    first, second, third = articles()
    txt = tmp_path / "satu.txt"
    txt.write_text(second, encoding="utf-8")
    jsonl = tmp_path / "banyak.jsonl"
    jsonl.write_text(json.dumps({"text": third}) + "\nnot json\n" + json.dumps({"teks": "x"}) + "\n", encoding="utf-8")
    html, table, out_jsonl, out_csv, message = client.predict(
        first, [gradio_client.handle_file(str(txt)), gradio_client.handle_file(str(jsonl))], 0.0, api_name="/label")
    docs = read_jsonl(out_jsonl)
    assert [d["document"] for d in docs] == ["pasted article", "satu.txt", "banyak.jsonl:1"]
    for doc, text in zip(docs, (first, second, third)):
        expected = clf.predict_document(text)
        assert [(s["start"], s["end"], s["label"]) for s in doc["sentences"]] == [(s.start, s.end, s.label) for s in expected.sentences]
        assert doc["labels"] == expected.labels
    assert "banyak.jsonl:2: invalid JSON" in message and "banyak.jsonl:3: no field 'text'" in message
    assert [row[0] for row in table["data"]] == ["pasted article", "satu.txt", "banyak.jsonl:1"]
    assert html.count('class="sentence"') == sum(len(d["sentences"]) for d in docs)
    assert open(out_csv, encoding="utf-8").readline().strip() == "document,start,end,text,label,score"


def test_the_threshold_relabels_without_running_the_model_again(app, monkeypatch):
    clf, client = app
    client.predict(articles(1)[0], [], 0.0, api_name="/label")
    calls = []
    monkeypatch.setattr(type(clf), "predict_document", lambda *a, **k: calls.append(1))
    html, table, out_jsonl, _, _ = client.predict(1.0, api_name="/threshold")
    doc = read_jsonl(out_jsonl)[0]
    assert calls == [] and all(s["label"] is None for s in doc["sentences"]) and doc["uncertain"] == len(doc["sentences"])
    assert table["data"][0][2] == len(doc["sentences"]) and "needs a person" in html


def test_bad_input_gets_a_message_and_the_good_files_are_still_labelled(app, tmp_path):
    _, client = app
    good = tmp_path / "baik.txt"
    good.write_text(articles(1)[0], encoding="utf-8")
    binary = tmp_path / "gambar.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    latin1 = tmp_path / "lama.txt"
    latin1.write_bytes("Serangan di Poso, kata Kapolda Sulteng \xe9.".encode("latin-1"))
    no_column = tmp_path / "tabel.csv"
    no_column.write_text("id,kalimat\n1,Bom meledak.\n", encoding="utf-8")
    huge = tmp_path / "besar.txt"
    huge.write_text("Bom meledak di pasar. " * (MAX_FILE_BYTES // 20), encoding="utf-8")
    files = [gradio_client.handle_file(str(p)) for p in (good, binary, latin1, no_column, huge)]
    html, table, out_jsonl, _, message = client.predict("", files, 0.5, api_name="/label")
    assert [d["document"] for d in read_jsonl(out_jsonl)] == ["baik.txt"]
    for expected in ("gambar.txt: a binary file", "lama.txt: not valid UTF-8", "tabel.csv: the header", "no column 'text'",
                     "besar.txt:", "over the 2 MB limit"):
        assert expected in message
    assert "--text-column" not in message and "Traceback" not in message + html


def test_nothing_to_label_says_so(app):
    _, client = app
    html, table, out_jsonl, _, message = client.predict("   ", [], 0.5, api_name="/label")
    assert "nothing to label" in message and out_jsonl is None and "No article labelled" in html


def test_indosec_app_without_a_model_says_what_to_do(capsys, monkeypatch):
    from indosec import cli

    monkeypatch.delenv("INDOSEC_MODEL", raising=False)
    assert cli.main(["app"]) == 2
    assert "no model: pass --model" in capsys.readouterr().err
