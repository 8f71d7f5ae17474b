import json

import numpy as np
import pytest
from matplotlib.image import imread

import train.report
from train.evaluate import evaluate_predictions, main
from train.report import REPORT_FILES, write_report

LABELS = ["a", "b", "c"]


def fixed_example():
    """Six sentences; the model gets 4 right, the baseline 3 (hand-checked below)."""
    gold = [0, 0, 1, 1, 2, 2]
    model_pred = [0, 0, 1, 2, 2, 1]
    base_pred = [0, 1, 1, 2, 2, 0]
    theatre = ["x", "x", "x", "y", "y", "y"]
    examples = [{"id": f"s{i}", "text": f"kalimat {i}", "label": g, "theatre": t, "hard": i % 2 == 1} for i, (g, t) in enumerate(zip(gold, theatre))]
    logits = 4.0 * np.eye(3)[model_pred]
    return examples, logits, np.eye(3)[base_pred]


def test_evaluation_matches_hand_computed_values():
    examples, logits, base_probs = fixed_example()
    metrics, rows = evaluate_predictions(logits, examples, LABELS, temperature=2.0, baseline_probs=base_probs, n_resamples=200)
    model, base = metrics["model"], metrics["baseline"]
    assert model["accuracy"] == pytest.approx(4 / 6) and base["accuracy"] == pytest.approx(3 / 6)
    # model: a P1 R1 F1=1 ; b P1/2 R1/2 ; c P1/2 R1/2 -> macro (1 + .5 + .5) / 3
    assert model["macro_f1"] == pytest.approx(2 / 3)
    assert model["confusion_matrix"] == [[2, 0, 0], [0, 1, 1], [0, 1, 1]]
    # theatre x: gold a a b, pred a a b -> 1 ; y: gold b c c, pred c c b -> F1(b)=0, F1(c)=1/2 -> 1/4
    x, y = model["by_field"]["theatre"]["x"], model["by_field"]["theatre"]["y"]
    assert (x["n"], x["accuracy"], x["macro_f1_present"]) == (3, 1.0, 1.0)
    # y: gold b c c, pred c c b -> F1(b) = 0, F1(c) = 1/2 over the two gold labels present
    assert (y["n"], y["accuracy"], y["macro_f1_present"]) == (3, pytest.approx(1 / 3), pytest.approx(0.25))
    assert set(model["by_field"]) == {"theatre", "hard"}  # register is absent from these examples
    assert metrics["calibration"]["temperature"] == 2.0
    assert len(rows) == 6 and rows[3] == {
        "id": "s3", "text": "kalimat 3", "gold": "b", "predicted": "c", "confidence": pytest.approx(np.exp(2) / (np.exp(2) + 2), abs=1e-6),
        "probabilities": pytest.approx({"a": 1 / (np.exp(2) + 2), "b": 1 / (np.exp(2) + 2), "c": np.exp(2) / (np.exp(2) + 2)}, abs=1e-6),
        "theatre": "y", "hard": True, "baseline_predicted": "c",
    }


def test_tiny_run_writes_a_complete_report(tiny_run):
    run_dir, metrics = tiny_run
    report = run_dir / "report"
    assert sorted(p.name for p in report.iterdir()) == sorted(set(REPORT_FILES) - {"metrics.json"})  # it sits beside the weights
    saved = json.loads((run_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    model, base = saved["model"], saved["baseline"]
    for scores in (model, base):
        for name in ("accuracy", "macro_f1"):
            low, high = scores["ci"][name]
            assert 0 <= low <= scores[name] <= high <= 1
    assert set(model["by_field"]) == {"theatre", "register", "hard"}
    assert saved["bootstrap"]["resamples"] == 1000
    rows = [json.loads(line) for line in (report / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == saved["n"] == sum(model["per_class"][lab]["support"] for lab in saved["labels"])
    assert all(sum(r["probabilities"].values()) == pytest.approx(1, abs=1e-4) for r in rows)
    text = (report / "report.md").read_text()
    assert f"**{model['macro_f1']:.3f}**" in text and f"| {base['macro_f1']:.3f} |" in text
    assert "most confident errors" in text and "## By register" in text and "macro-F1 (labels present)" in text
    for name in ("confusion_matrix.png", "reliability.png"):
        assert imread(report / name).shape[0] > 200  # a real, readable image


def test_cli_evaluates_a_checkpoint_with_the_baseline(tiny_run, tmp_path, capsys):
    from tests.conftest import ROOT

    out = tmp_path / "eval"
    assert main(["--model", str(tiny_run[0]), "--data", str(ROOT / "data" / "test.jsonl"), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    saved = json.loads((out / "metrics.json").read_text())
    assert summary["macro_f1"] == round(saved["model"]["macro_f1"], 4) and "baseline" in saved
    assert saved["run"]["data_counts"]["train"] and "config" not in saved["run"]  # the checkpoint's run_info.json keeps it
    assert "| train.run_name | tiny |" in (out / "report.md").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(REPORT_FILES)


def test_cli_names_the_bad_line(tiny_run, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x1", "text": "Kalimat yang cukup panjang di sini.", "label": "weather"}) + "\n")
    assert main(["--model", str(tiny_run[0]), "--data", str(bad), "--out", str(tmp_path / "out"), "--no-baseline"]) == 2
    assert f"{bad}:1: unknown label 'weather'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_report_folder_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    examples, logits, base_probs = fixed_example()
    metrics, rows = evaluate_predictions(logits, examples, LABELS, baseline_probs=base_probs, n_resamples=50)
    out = tmp_path / "report"
    write_report(out, metrics, rows)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def crash(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(train.report, "render_report", crash)  # fails after metrics.json and the plots
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(out, {**metrics, "n": 999}, rows)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging folder or temp file left
