"""Fast mode tells the truth without a model: the first load says it is preparing the int8 copy
(once; later loads read the cache), and scripts/compare_fast.py fails when macro-F1 moves by
more than its tolerance. (The real export: tests/integration/test_fast.py.)"""

import importlib.util
import json

import numpy as np
import pytest

import indosec
from indosec import fast
from tests.conftest import ROOT


def test_the_first_fast_load_says_it_is_preparing_the_model_once(tmp_path, monkeypatch, capsys):
    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    (checkpoint / "model.safetensors").write_bytes(b"weights")

    def export(model, tokenizer, out_dir):
        (out_dir / "model.onnx").write_bytes(b"onnx")
        return out_dir / "model.onnx"

    monkeypatch.setenv("INDOSEC_CACHE", str(tmp_path / "cache"))  # not the session's: other tests count its exports
    monkeypatch.setattr(fast, "_import_onnxruntime", lambda: None)
    monkeypatch.setattr(fast.AutoModelForSequenceClassification, "from_pretrained", lambda *a, **k: "model")
    monkeypatch.setattr(fast, "export_int8", export)
    monkeypatch.setattr(fast, "OnnxBackend", lambda path, threads=None: path)
    fast.load_fast(str(checkpoint), None, None)
    fast.load_fast(str(checkpoint), None, None)  # from the cache
    err = capsys.readouterr().err
    assert err.count("preparing the fast model") == 1, err


_spec = importlib.util.spec_from_file_location("compare_fast", ROOT / "scripts" / "compare_fast.py")
compare_fast = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare_fast)


@pytest.mark.parametrize("flipped, status", [(0, 0), (1, 1)])
def test_compare_fast_fails_outside_its_tolerance(tmp_path, monkeypatch, capsys, flipped, status):
    """20 sentences, two labels; fp32 gets all right, fast flips `flipped` of them (macro-F1 -0.05)."""
    labels = ["attack", "other"]
    gold = [i % 2 for i in range(20)]
    data = tmp_path / "test.jsonl"
    data.write_text("".join(json.dumps({"id": str(i), "text": f"kalimat {i}", "label": labels[g]}) + "\n" for i, g in enumerate(gold)))

    class StandIn:
        def __init__(self, wrong):
            self.labels, self.wrong = labels, wrong
            self.backend = type("Backend", (), {"recipe": {}, "path": tmp_path / "model.onnx"})()

        def predict_proba(self, texts):
            pred = [1 - g if i < self.wrong else g for i, g in enumerate(gold)]
            return np.eye(2)[pred] * 0.8 + 0.1

    monkeypatch.setattr(indosec, "load", lambda model, fast=False, **k: StandIn(flipped if fast else 0))
    assert compare_fast.main(["checkpoint", "--data", str(data)]) == status
    assert ("NOT within" in capsys.readouterr().out) == bool(status)


def test_compare_fast_without_the_fast_extra_says_what_to_install_in_one_line(tmp_path, monkeypatch, capsys):
    data = tmp_path / "test.jsonl"
    data.write_text(json.dumps({"id": "1", "text": "kalimat", "label": "other"}) + "\n")

    def load(model, fast=False, **kwargs):
        if fast:
            raise ImportError(indosec.fast.FAST_EXTRA_HINT)
        return None

    monkeypatch.setattr(indosec, "load", load)
    assert compare_fast.main(["checkpoint", "--data", str(data)]) == 2
    assert capsys.readouterr().err == f"error: {indosec.fast.FAST_EXTRA_HINT}\n"
