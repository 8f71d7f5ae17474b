"""The `indosec` command reading standard input: `--input -`, or piped with no input named."""

import io
import json
import sys

import pytest

from indosec import cli
from tests.integration.test_predict import SENTENCES


@pytest.fixture(scope="module")
def model(tiny_run):
    return str(tiny_run.run_dir)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def piped(monkeypatch, text: str):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def run(capsys, *args):
    code = cli.main(["predict", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


@pytest.mark.parametrize("input_args", [["--input", "-"], []])
def test_piped_text_is_one_sentence_per_line(capsys, monkeypatch, model, input_args):
    piped(monkeypatch, f"{SENTENCES[0]}\n\n{SENTENCES[1]}\n")
    code, rows, _ = run(capsys, *input_args, "--model", model)
    assert code == 0
    assert [(r["line"], r["text"]) for r in rows] == [(1, SENTENCES[0]), (3, SENTENCES[1])]


def test_format_names_jsonl_on_stdin_and_bad_lines_name_stdin(capsys, monkeypatch, model):
    piped(monkeypatch, json.dumps({"id": "a", "text": SENTENCES[0]}) + "\n{broken\n")
    code, rows, err = run(capsys, "--input", "-", "--format", "jsonl", "--model", model)
    assert code == 1 and [(r["line"], r["id"]) for r in rows] == [(1, "a")]
    assert "<stdin>:2: invalid JSON at column 2" in err


def test_csv_on_stdin_is_checked_before_the_model_loads(capsys, monkeypatch):
    piped(monkeypatch, "id;kalimat\n1;Bom meledak.\n")
    code, _, err = run(capsys, "--format", "csv", "--model", "no/such-model")
    assert code == 2 and "<stdin>: the header (split on semicolons) has no column 'text'" in err


def test_csv_on_stdin_with_its_delimiter_detected(capsys, monkeypatch, model):
    piped(monkeypatch, f'id;text\n1;"{SENTENCES[0]}\nwrapped"\n2;{SENTENCES[1]}\n')
    code, rows, err = run(capsys, "--format", "csv", "--model", model)
    assert code == 0 and [(r["line"], r["id"]) for r in rows] == [(2, "1"), (4, "2")]
    assert "reading <stdin> as semicolon-separated" in err


def test_format_overrides_a_files_suffix(tmp_path, capsys, model):
    src = tmp_path / "kalimat.ndjson"
    src.write_text(json.dumps({"text": SENTENCES[0]}) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "--input", str(src), "--model", model)
    assert code == 2 and "unknown input format '.ndjson'" in err and "--format" in err
    code, rows, _ = run(capsys, "--input", str(src), "--format", "jsonl", "--model", model)
    assert code == 0 and rows[0]["text"] == SENTENCES[0]


def test_empty_stdin_is_an_error(capsys, monkeypatch, model):
    piped(monkeypatch, "\n")
    code, rows, err = run(capsys, "--model", model)
    assert code == 2 and rows == [] and "no sentence in <stdin>" in err


def test_no_input_at_a_terminal_is_an_error_not_a_wait(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Terminal())
    code, _, err = run(capsys, "--model", "no/such-model")
    assert code == 2 and "pipe sentences in" in err
