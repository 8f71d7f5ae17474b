"""The `indosec` command, called as `indosec.cli.main([...])` (and once as `python -m`)."""

import csv
import json
import sys

import pytest

from indosec import LABELS, cli
from indosec.records import Record
from tests.integration.test_predict import SENTENCES


@pytest.fixture(scope="module")
def model(tiny_run):
    return str(tiny_run.run_dir)


def run(capsys, *args):
    code = cli.main(["predict", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_sentences_on_the_command_line(capsys, model):
    code, rows, _ = run(capsys, SENTENCES[0], SENTENCES[1], "--model", model)
    assert code == 0
    assert [r["text"] for r in rows] == SENTENCES[:2] and [r["line"] for r in rows] == [1, 2]
    assert all(r["label"] in LABELS and set(r["probabilities"]) == set(LABELS) for r in rows)


def test_model_from_the_environment_and_threshold(capsys, model, monkeypatch):
    monkeypatch.setenv("INDOSEC_MODEL", model)
    code, rows, _ = run(capsys, SENTENCES[0], "--threshold", "1")
    assert code == 0 and rows[0]["label"] is None and rows[0]["score"] > 0


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_files_in_every_format_come_out_in_input_order(tmp_path, capsys, model, suffix):
    texts = SENTENCES * 3  # 15 sentences, several chunks with --batch-size 1
    src = tmp_path / f"in{suffix}"
    if suffix == ".txt":
        src.write_text("\n".join(texts) + "\n", encoding="utf-8")
    elif suffix == ".jsonl":
        src.write_text("".join(json.dumps({"id": f"s{i}", "kalimat": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    else:
        with src.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "kalimat"])
            writer.writerows([f"s{i}", t] for i, t in enumerate(texts))
    column = [] if suffix == ".txt" else ["--text-column", "kalimat"]
    out = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, "--input", str(src), "--output", str(out), "--model", model, "--batch-size", "1", *column)
    rows = read_jsonl(out)
    assert code == 0
    assert [r["text"] for r in rows] == texts
    first_line = 2 if suffix == ".csv" else 1
    assert [r["line"] for r in rows] == list(range(first_line, first_line + len(texts)))
    if suffix != ".txt":
        assert [r["id"] for r in rows] == [f"s{i}" for i in range(len(texts))]


def test_bad_lines_are_reported_with_their_line_number_and_good_lines_kept(tmp_path, capsys, model):
    lines = [
        json.dumps({"text": SENTENCES[0]}),
        "{not json",
        json.dumps({"text": ""}),
        "",  # blank lines are skipped, not errors
        json.dumps({"txt": SENTENCES[1]}),
        json.dumps({"text": 42}),
        json.dumps({"text": "x" * 1_000_000}),
        json.dumps({"text": SENTENCES[2]}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(capsys, "--input", str(src), "--output", str(out), "--model", model)
    assert code == 1
    assert [r["line"] for r in read_jsonl(out)] == [1, 8]
    for where in (f"{src}:2: invalid JSON", f"{src}:3: text is empty", f"{src}:5: no field 'text'",
                  f"{src}:6: field 'text' is int", f"{src}:7: text is 1,000,000 characters long"):
        assert where in err
    assert "5 bad line(s)" in err


def test_malformed_csv_rows_are_bad_lines_with_the_line_they_start_on(tmp_path, capsys, model):
    src = tmp_path / "in.csv"
    src.write_text(f'id,text\n1,{SENTENCES[0]}\n2,"stray"quote\n3,"{SENTENCES[1]}\nwrapped"\n4,a,b\n5,{SENTENCES[2]}\n6,"never closed\n7,x\n',
                   encoding="utf-8")
    code, rows, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 1
    assert [(r["line"], r["id"]) for r in rows] == [(2, "1"), (4, "3"), (7, "5"), (9, "7")]
    for where in (f"{src}:3: unreadable CSV row", f"{src}:6: has 3 fields", f"{src}:8: a quote opened in this row is not closed"):
        assert where in err


def test_a_stray_quote_loses_only_its_own_row(tmp_path, capsys, model):
    """An unbalanced quote used to swallow every later row (and the CLI said they were labelled)."""
    src = tmp_path / "rusak.csv"
    later = [f'{i},"{SENTENCES[i % len(SENTENCES)]}"' for i in range(3, 40)]
    src.write_text("id,text\n1,Bom meledak di Azaz.\n2,\"Kata dia, pasukan mundur\n" + "\n".join(later) + "\n", encoding="utf-8")
    code, rows, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 1
    assert [r["id"] for r in rows] == ["1"] + [str(i) for i in range(3, 40)]
    assert f"{src}:3: a quote opened in this row is not closed on its line" in err
    assert "1 bad line(s)" in err and "the other 38 labelled" in err


@pytest.mark.parametrize("sep, flag, name", [(";", [], "semicolon"), ("\t", [], "tab"), (";", ["--delimiter", ";"], "semicolon"),
                                             ("\t", ["--delimiter", "tab"], "tab")])
def test_semicolon_and_tab_separated_csv(tmp_path, capsys, model, sep, flag, name):
    src = tmp_path / "excel.csv"
    src.write_text(f"id{sep}text\n1{sep}{SENTENCES[0]}\n2{sep}\"{SENTENCES[1]}\"\n", encoding="utf-8")
    code, rows, err = run(capsys, "--input", str(src), "--model", model, *flag)
    assert code == 0 and [r["text"] for r in rows] == SENTENCES[:2]
    assert f"as {name}-separated ({'given' if flag else 'detected from the header'}" in err


def test_a_csv_whose_header_has_no_text_column_under_any_delimiter_names_both_options(tmp_path, capsys, model):
    src = tmp_path / "in.csv"
    src.write_text("no;kalimat\n1;Bom meledak.\n", encoding="utf-8")
    code, _, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 2 and "(split on semicolons) has no column 'text' (found: no, kalimat)" in err
    assert "--text-column" in err and "--delimiter" in err


def test_a_file_with_no_good_line_exits_2(tmp_path, capsys, model):
    src = tmp_path / "in.jsonl"
    src.write_text('{"teks": "a"}\nnot json\n', encoding="utf-8")
    code, rows, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 2 and rows == []
    assert "none of the 2 line(s)" in err and "labelled" not in err.replace("nothing labelled", "")


def test_json_errors_name_the_column_where_the_line_goes_wrong(tmp_path, capsys, model):
    line = '"Serangan di Idlib menewaskan 9 orang'  # a string that is never closed: the fault is at the end
    src = tmp_path / "in.jsonl"
    cut = '{"text": "Bom meledak di Azaz", "label": "attack"'  # the closing brace is missing
    src.write_text(f'{line}\n{{"text": "Bom", "label": attack}}\n{cut}\n', encoding="utf-8")
    code, _, err = run(capsys, "--input", str(src), "--model", model)
    assert f"{src}:1: invalid JSON at column {len(line) + 1}: the line ends inside the string that opens at column 1" in err
    assert f"{src}:2: invalid JSON at column 26: Expecting value" in err
    assert f"{src}:3: invalid JSON at column {len(cut) + 1}: Expecting ',' delimiter" in err


def test_a_long_line_points_to_document_mode(tmp_path, capsys, model):
    src = tmp_path / "in.txt"
    src.write_text(SENTENCES[0] + "\n" + "Bom meledak. " * 1000 + "\n", encoding="utf-8")
    code, rows, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 1 and len(rows) == 1
    assert f"{src}:2: text is 13,000 characters long (limit 10,000); a whole article? label it with --document FILE" in err
    assert "predict_document" not in err and "max_chars" not in err


def test_a_line_that_is_not_utf8_is_a_bad_line(tmp_path, capsys, model):
    src = tmp_path / "in.txt"
    src.write_bytes(SENTENCES[0].encode() + b"\nBom \xff\xfe meledak.\n" + SENTENCES[1].encode() + b"\n")
    code, rows, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 1 and [r["line"] for r in rows] == [1, 3]
    assert f"{src}:2: is not valid UTF-8" in err


def test_results_already_written_survive_a_failure_later_in_the_file(tmp_path, tiny_run):
    """Streaming: chunks are written and flushed as they are done."""
    import indosec

    clf = indosec.load(str(tiny_run.run_dir), device="cpu", batch_size=2, sort_window=16)  # chunks of 16 records

    def records():
        for i in range(40):
            yield Record(i + 1, text=SENTENCES[i % len(SENTENCES)])
        raise KeyboardInterrupt  # the user gives up half-way through a big file

    out = tmp_path / "out.jsonl"
    with open(out, "w", encoding="utf-8") as f, pytest.raises(KeyboardInterrupt):
        cli._write_predictions(clf, records(), f, None, source="big.txt")
    assert [r["line"] for r in read_jsonl(out)] == list(range(1, 33))


def test_documents(tmp_path, capsys, model):
    article = tmp_path / "artikel.txt"
    article.write_text("Bom Meledak di Idlib\nDAMASKUS - Sebuah bom meledak di pasar. Tujuh orang tewas.\nEditor : Budi\n", encoding="utf-8")
    empty = tmp_path / "kosong.txt"
    empty.write_text("Baca Juga: Bom di Idlib\n", encoding="utf-8")
    code, docs, err = run(capsys, "--document", str(article), str(empty), "--model", model)
    assert code == 1 and f"{empty}: no sentences found" in err
    assert [d["document"] for d in docs] == [str(article), str(empty)]
    text = article.read_text(encoding="utf-8")
    sentences = docs[0]["sentences"]
    assert [text[s["start"] : s["end"]] for s in sentences] == [s["text"] for s in sentences]
    assert len(sentences) == 3 and set(docs[0]["summary"]) == set(LABELS) and docs[1]["sentences"] == []
    assert set(docs[0]["labels"]) <= {s["label"] for s in sentences} - {"other"}  # the article-level answer, with evidence
    assert all(sentences[i]["label"] == lab for lab in docs[0]["labels"] for i in docs[0]["summary"][lab]["evidence"])
    code, docs, err = run(capsys, "--document", str(empty), "--model", model)
    assert code == 2 and "no sentence found in any of the 1 article(s)" in err


def test_csv_without_the_text_column_exits_2(tmp_path, capsys, model):
    src = tmp_path / "in.csv"
    src.write_text("id,kalimat\n1,Bom meledak.\n", encoding="utf-8")
    code, _, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 2 and "no column 'text' (found: id, kalimat)" in err
