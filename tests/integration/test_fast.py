"""fast=True: the int8 ONNX Runtime copy agrees with the fp32 model and is cached on disk.
(Speed is measured by scripts/bench_predict.py, never here.)"""

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

import indosec
import indosec.fast
from tests.integration.test_bad_input import SHORT, long_sentence
from tests.integration.test_predict import SENTENCES


@pytest.fixture(scope="module")
def fp32_and_fast(tiny_run):
    path = str(tiny_run.run_dir)
    return indosec.load(path, device="cpu"), indosec.load(path, fast=True)


def test_fast_mode_agrees_with_fp32(fp32_and_fast):
    fp32, fast = fp32_and_fast
    texts = SENTENCES + [SHORT, long_sentence(150)]
    assert isinstance(fast.backend, indosec.fast.OnnxBackend) and fast.device.type == "cpu"
    assert fast.predict_proba(texts) == pytest.approx(fp32.predict_proba(texts), abs=0.03)
    assert [p.label for p in fast.predict(SENTENCES)] == [p.label for p in fp32.predict(SENTENCES)]


def test_fast_mode_keeps_threshold_documents_and_bad_input_rules(fp32_and_fast):
    _, fast = fp32_and_fast
    assert fast.predict(SHORT, threshold=1.0).label is None
    assert len(fast.predict_document("DAMASKUS - Bom meledak di pasar. Tujuh orang tewas.").sentences) == 2
    with pytest.raises(TypeError, match="item 1 is NoneType"):
        fast.predict([SHORT, None])


def test_labels_and_temperature_come_from_config_json_not_from_the_onnx_backend(fp32_and_fast):
    fp32, fast = fp32_and_fast
    assert not hasattr(fast.backend, "config")
    assert (fast.labels, fast.temperature, fast.max_length) == (fp32.labels, fp32.temperature, fp32.max_length)
    assert fast.config.to_dict() == fp32.config.to_dict()


def test_the_export_is_cached_and_reused(tiny_run, indosec_cache, fp32_and_fast, monkeypatch):
    assert len(list(indosec_cache.glob("onnx-int8/*/model.int8.onnx"))) == 1

    def no_export(*args, **kwargs):
        raise AssertionError("exported again instead of using the cache")

    monkeypatch.setattr(indosec.fast, "export_int8", no_export)
    monkeypatch.setattr(indosec.fast, "AutoModelForSequenceClassification", None)  # fp32 weights never read
    again = indosec.load(str(tiny_run.run_dir), fast=True)
    assert again.predict(SHORT).probabilities == fp32_and_fast[1].predict(SHORT).probabilities


def test_fast_mode_is_cpu_only(tiny_run):
    with pytest.raises(ValueError, match="CPU mode"):
        indosec.load(str(tiny_run.run_dir), fast=True, device="cuda")


def test_fast_mode_from_the_command_line(tiny_run, capsys):
    from indosec import cli

    assert cli.main(["predict", SHORT, "--model", str(tiny_run.run_dir), "--fast"]) == 0
    assert '"label": ' in capsys.readouterr().out


def test_without_onnxruntime_fast_mode_says_what_to_install(tiny_run, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name.startswith("onnxruntime"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    with pytest.raises(ImportError, match=r"pip install 'indosec\[fast\]'"):
        indosec.load(str(tiny_run.run_dir), fast=True)
