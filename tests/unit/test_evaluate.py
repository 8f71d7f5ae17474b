"""The evaluate stage without a model: a stand-in for the loaded checkpoint gives fixed logits, so
every section of metrics.json can be checked by hand; render then reads the files alone, and
`python -m train.evaluate` replaces its folder whole or not at all. (On a trained checkpoint:
tests/integration/test_evaluate.py.)"""

import json

import numpy as np
import pytest
from matplotlib.image import imread

import indosec
import train.evaluate
import train.render.report
from indosec.records import read_objects
from train.data.splits import Splits
from train.evaluate import evaluate
from train.evaluate.__main__ import main
from train.render.report import REPORT_FILES, write_report
from train.run_folder import Layout

LABELS = ["a", "b", "c"]
GOLD = [0, 0, 1, 1, 2, 2]
MODEL = [0, 0, 1, 2, 2, 1]  # 4 of 6 right
BASELINE = [0, 1, 1, 2, 2, 0]  # 3 of 6 right


class Loaded:
    """What evaluate asks of `indosec.load(...)`: logits for texts, and the temperature."""

    temperature = 2.0

    def logits(self, texts):
        return np.array([4.0 * np.eye(3)[MODEL[int(t.split()[-1])]] for t in texts])


@pytest.fixture
def stand_ins(monkeypatch):
    """The checkpoint and the TF-IDF baseline replaced by fixed predictions."""
    monkeypatch.setattr(indosec, "load", lambda *args, **kwargs: Loaded())
    monkeypatch.setattr(train.evaluate, "fit_baseline", lambda *args, **kwargs: "fitted")
    monkeypatch.setattr(train.evaluate, "baseline_probabilities", lambda model, texts, n: np.eye(3)[[BASELINE[int(t.split()[-1])] for t in texts]])
    monkeypatch.setattr(train.evaluate, "baseline_summary", lambda model: {"description": "TF-IDF", "C": 1.0, "C_grid": [1.0]})


def examples():
    theatre = ["x", "x", "x", "y", "y", "y"]
    return [{"id": f"s{i}", "text": f"kalimat {i}", "label": g, "theatre": t, "hard": i % 2 == 1} for i, (g, t) in enumerate(zip(GOLD, theatre))]


def splits():
    train = [{"id": "t0", "text": "kalimat 0", "label": 0}]
    return Splits(LABELS, {"evaluated": examples(), "train": train}, {"evaluated": "e.jsonl", "train": "t.jsonl"}, evaluated="evaluated")


def test_every_section_matches_hand_computed_values(tmp_path, stand_ins):
    layout = Layout.flat(tmp_path)
    metrics = evaluate("a-checkpoint", splits(), layout, name="m", backbone=None, evaluated_on="e.jsonl")
    assert json.loads(layout.metrics.read_text()) == json.loads(json.dumps(metrics))
    assert list(metrics) == ["n", "labels", "bootstrap", "model", "calibration", "baseline", "run"]
    model, base = metrics["model"], metrics["baseline"]
    assert model["accuracy"] == pytest.approx(4 / 6) and base["accuracy"] == pytest.approx(3 / 6)
    # model: a P1 R1 F1=1 ; b P1/2 R1/2 ; c P1/2 R1/2 -> macro (1 + .5 + .5) / 3
    assert model["macro_f1"] == pytest.approx(2 / 3)
    assert model["confusion_matrix"] == [[2, 0, 0], [0, 1, 1], [0, 1, 1]]
    # theatre x: gold a a b, pred a a b -> 1 ; y: gold b c c, pred c c b -> F1(b) = 0, F1(c) = 1/2 over the two gold labels present
    x, y = model["by_field"]["theatre"]["x"], model["by_field"]["theatre"]["y"]
    assert (x["n"], x["accuracy"], x["macro_f1_present"]) == (3, 1.0, 1.0)
    assert (y["n"], y["accuracy"], y["macro_f1_present"]) == (3, pytest.approx(1 / 3), pytest.approx(0.25))
    assert set(model["by_field"]) == {"theatre", "hard"}  # register is absent from these examples
    assert metrics["calibration"]["temperature"] == 2.0 and "fit_nll_before" not in metrics["calibration"]
    assert metrics["run"] == {"model": "m", "evaluated_on": "e.jsonl", "backbone": None,
                              "data_counts": {"evaluated": {"a": 2, "b": 2, "c": 2}, "train": {"a": 1, "b": 0, "c": 0}},
                              "baseline": {"description": "TF-IDF", "C": 1.0, "C_grid": [1.0]},
                              "calibration_fitted_on": "validation split of the training run"}
    rows = read_objects(layout.predictions)
    assert len(rows) == 6 and rows[3] == {
        "id": "s3", "text": "kalimat 3", "gold": "b", "predicted": "c", "confidence": pytest.approx(np.exp(2) / (np.exp(2) + 2), abs=1e-6),
        "probabilities": pytest.approx({"a": 1 / (np.exp(2) + 2), "b": 1 / (np.exp(2) + 2), "c": np.exp(2) / (np.exp(2) + 2)}, abs=1e-6),
        "theatre": "y", "hard": True, "baseline_predicted": "c",
    }


def test_the_report_is_drawn_from_the_files_alone(tmp_path, stand_ins):
    layout = Layout.flat(tmp_path)
    metrics = evaluate("a-checkpoint", splits(), layout, name="m", backbone=None, evaluated_on="e.jsonl")
    write_report(layout, config={"train": {"run_name": "tiny"}})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(REPORT_FILES)
    text = (tmp_path / "report.md").read_text()
    assert f"**{metrics['model']['macro_f1']:.3f}**" in text and "| train.run_name | tiny |" in text
    assert "## By theatre" in text and "| **total** | 6 | 1 |" in text and "most confident errors" in text
    for name in ("confusion_matrix.png", "reliability.png"):
        assert imread(tmp_path / name).shape[0] > 200  # a real, readable image


@pytest.fixture
def checkpoint_config(tmp_path):
    """What `python -m train.evaluate` reads before the model loads: config.json's labels."""
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", "id2label": dict(enumerate(LABELS)), "label2id": {k: i for i, k in enumerate(LABELS)}}))
    return folder


SENTENCES = ["Kedua negara sepakat berpatroli bersama", "Latihan gabungan angkatan laut dimulai", "Bom mobil meledak di pasar kota",
             "Penembakan terjadi di pos polisi", "Beijing mengklaim perairan Natuna utara", "Harga cabai naik menjelang Lebaran"]


def _data(tmp_path):
    """The six examples as a labelled file (the stand-in reads each sentence's number at its end)."""
    path = tmp_path / "test.jsonl"
    path.write_text("".join(json.dumps({"id": e["id"], "text": f"{text} {i}", "label": LABELS[e["label"]]}) + "\n"
                            for i, (e, text) in enumerate(zip(examples(), SENTENCES))))
    return path


def test_cli_names_the_bad_line_before_the_model_loads(checkpoint_config, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(indosec, "load", lambda *a, **k: pytest.fail("the model loaded before the data was checked"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x1", "text": "Kalimat yang cukup panjang di sini.", "label": "weather"}) + "\n")
    assert main(["--model", str(checkpoint_config), "--data", str(bad), "--out", str(tmp_path / "out"), "--no-baseline"]) == 2
    assert f"{bad}:1: unknown label 'weather'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_replaces_its_folder_whole_or_not_at_all(checkpoint_config, tmp_path, stand_ins, monkeypatch, capsys):
    out, data = tmp_path / "report", _data(tmp_path)
    assert main(["--model", str(checkpoint_config), "--data", str(data), "--out", str(out), "--no-baseline"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {"report": str(out), "n": 6, "accuracy": round(4 / 6, 4), "macro_f1": round(2 / 3, 4)}
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == sorted(REPORT_FILES)

    def crash(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(train.render.report, "render_report", crash)  # fails after metrics.json and the plots
    with pytest.raises(RuntimeError, match="disk full"):
        main(["--model", str(checkpoint_config), "--data", str(data), "--out", str(out), "--no-baseline", "--bootstrap-seed", "1"])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "report", "test.jsonl"]  # no staging folder left
