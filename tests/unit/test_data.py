"""Labelled sentences: the validator (`python -m train.data validate`) and the loader run the same
checks, every problem named with file and line; the loader's seeded samples."""

import json
from pathlib import Path

import pytest

import train.data.splits
from indosec.records import Row
from tests.conftest import ROOT
from train.config import DataArgs
from train.data.__main__ import main
from train.data.sentences import check_dataset, validate_files
from train.data.splits import load_splits
from train.data.validation import SPLITS, DataError, read_labelled
GOOD = {"id": "x1", "text": "Densus 88 menangkap tiga terduga teroris di Bekasi pada Sabtu pagi.", "label": "other"}


def write_split(folder: Path, split: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{split}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_splits(folder: Path) -> dict[str, Path]:
    texts = {
        "train": "Rusia dan Turki sepakat menggelar patroli gabungan di sepanjang jalan raya M4 di Idlib.",
        "validation": "Sebuah bom mobil meledak di dekat pasar Azaz dan menewaskan sedikitnya sembilan orang.",
        "test": "Beijing kembali menegaskan klaimnya atas perairan di sekitar Kepulauan Spratly.",
    }
    return {s: write_split(folder, s, [json.dumps({**GOOD, "id": s, "text": t})]) for s, t in texts.items()}


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "a", "text": "Kalimat tanpa label sama sekali di sini.",', "invalid JSON at column 64: Expecting property name"),
        ('["not", "an", "object"]', "expected a JSON object"),
        (json.dumps({"id": "a", "label": "other"}), "missing field(s) text"),
        (json.dumps({"text": "Kalimat ini tidak punya id sama sekali.", "label": "other"}), "missing field(s) id"),
        (json.dumps({"id": "a", "text": "Kalimat ini tidak punya label apa pun.", }), "missing field(s) label"),
        (json.dumps({**GOOD, "label": "terrorism"}), "unknown label 'terrorism'"),
        (json.dumps({**GOOD, "text": ""}), "empty text"),
        (json.dumps({**GOOD, "text": "   \t "}), "empty text"),
        (json.dumps({**GOOD, "text": 42}), "field text is int"),
        (json.dumps({**GOOD, "source": "x"}), "unknown field(s) source"),
        (json.dumps({**GOOD, "text": "Dua kata"}), "text has 2 words"),
        (json.dumps({**GOOD, "text": "kata " * 200}), "text has 200 words"),
        (json.dumps({**GOOD, "hard": "maybe"}), "field hard='maybe'"),
    ],
)
def test_each_kind_of_bad_row_is_named_with_file_and_line(tmp_path, line, message):
    paths = good_splits(tmp_path)
    lines = [json.dumps({**GOOD, "id": "ok", "text": "Baris pertama ini sah dan tidak bermasalah sama sekali."}), line]
    write_split(tmp_path, "train", lines)
    with pytest.raises(DataError) as err:
        validate_files(paths)
    assert f"{paths['train']}:2: {message}" in str(err.value)


def test_metadata_once_present_is_required_everywhere_and_checked(tmp_path):
    paths = good_splits(tmp_path)
    row = {**GOOD, "theatre": "mars", "register": "tweet", "story": "s9", "hard": False}
    write_split(tmp_path, "train", [json.dumps(row)])
    with pytest.raises(DataError) as err:
        validate_files(paths)
    assert "unknown theatre 'mars'" in str(err.value) and "unknown register 'tweet'" in str(err.value)
    assert f"{paths['validation']}:1: missing field(s) theatre, register, story, hard" in str(err.value)


BAD_ROWS = [
    json.dumps({**GOOD, "label": "terrorism"}),
    json.dumps({**GOOD, "text": "Dua kata"}),
    json.dumps({**GOOD, "theatre": "mars"}),
    json.dumps({**GOOD, "hard": "maybe"}),
    '{"id": "a", "text": "Kalimat tanpa label sama sekali di sini.",',
]


@pytest.mark.parametrize("bad", BAD_ROWS)
def test_the_loader_rejects_what_validate_rejects_with_the_same_message(tmp_path, capsys, bad):
    paths = good_splits(tmp_path)
    ok = {**GOOD, "id": "ok", "text": "Baris pertama ini sah dan tidak bermasalah sama sekali."}
    write_split(tmp_path, "train", [json.dumps(ok), bad])
    assert main(["validate", str(tmp_path)]) == 1
    printed = capsys.readouterr().err.strip()
    with pytest.raises(DataError) as err:
        load_splits(DataArgs(data_dir=str(tmp_path)), seed=0)
    assert str(err.value) == printed and f"{paths['train']}:2: " in printed


def test_duplicates_near_duplicates_and_split_stories_are_rejected(tmp_path):
    base = "Pasukan Demokratik Suriah merebut kembali desa Baghuz dari sisa-sisa militan ISIS pada Sabtu."
    rows = [
        {**GOOD, "id": "a", "text": base, "story": "s1"},
        {**GOOD, "id": "b", "text": base.upper(), "story": "s2"},
        {**GOOD, "id": "c", "text": base.replace("Sabtu", "Minggu"), "story": "s3"},
        {**GOOD, "id": "a", "text": "Presiden meresmikan jembatan baru di Kalimantan Utara kemarin.", "story": "s4"},
    ]
    paths = good_splits(tmp_path)
    write_split(tmp_path, "train", [json.dumps(r) for r in rows])
    write_split(tmp_path, "test", [json.dumps({**GOOD, "id": "t", "text": "Warga merayakan panen raya di desa itu.", "story": "s1"})])
    split_rows = {s: read_labelled(p)[0] for s, p in paths.items()}
    problems = "\n".join(check_dataset(split_rows))
    train = paths["train"]
    assert f"{train}:2: exact duplicate of {train}:1" in problems
    assert f"{train}:3: near-duplicate of {train}:1" in problems
    assert f"{train}:4: duplicate id 'a'" in problems
    assert "story 's1' spans splits ['test', 'train']" in problems


def test_good_files_load_with_label_ids(tmp_path):
    good_splits(tmp_path)
    splits = load_splits(DataArgs(data_dir=str(tmp_path)), seed=0)
    assert splits.sentences["train"][0]["label"] == 4 and splits.sentences["test"][0]["id"] == "test"


def test_project_data_passes_the_validator(capsys):
    assert main(["validate", str(ROOT / "data")]) == 0
    out = capsys.readouterr().out
    assert "| label \\ split | train | validation | test | total |" in out and "OK:" in out


def test_csv_rows_carry_their_line_numbers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,text,label\na,"Kalimat pertama yang sah sekali.",other\nb,"Kalimat kedua yang sah sekali.",nope\n', encoding="utf-8")
    rows, _ = read_labelled(path)
    assert [r.line for r in rows] == [2, 3] and rows[1].fields["label"] == "nope"


def test_csv_training_data_is_read_like_the_cli_reads_it(tmp_path):
    """One reader: semicolons detected, a stray quote costs only its own row, bad lines named."""
    path = tmp_path / "x.csv"
    path.write_text('id;text;label\na;"Kalimat pertama yang sah sekali.";other\nb;"Kutip tak ditutup;attack\n'
                    'c;Kalimat ketiga yang sah sekali.;other\n', encoding="utf-8")
    rows, errors = read_labelled(path)
    assert [(r.line, r.fields["id"]) for r in rows] == [(2, "a"), (4, "c")]
    assert errors == [f"{path}:3: a quote opened in this row is not closed on its line; row skipped, reading resumes at line 4"]


def test_eval_samples_are_the_same_rows_under_every_run_seed(monkeypatch):
    """`--seeds N` compares initialisations on one test set: only the train sample follows train.seed."""
    rows = {s: [Row(i + 1, {"id": f"{s}-{i}", "text": f"kalimat nomor {i}", "label": "other"}, path=s) for i in range(100)] for s in SPLITS}
    monkeypatch.setattr(train.data.splits, "validate", lambda data_args: rows)
    sampled = DataArgs(max_train_samples=10, max_eval_samples=20)
    one, two = (load_splits(sampled, seed=seed).sentences for seed in (1, 2))
    order = {split: [int(e["id"].rsplit("-", 1)[1]) for e in examples] for split, examples in one.items()}
    assert one["validation"] == two["validation"] and one["test"] == two["test"] and len(one["test"]) == 20
    assert one["train"] != two["train"] and len(one["train"]) == 10
    assert all(order[s] == sorted(order[s]) for s in SPLITS)  # a sample keeps the files' order
    assert all(len(v) == 100 for v in load_splits(DataArgs(), seed=1).sentences.values())
