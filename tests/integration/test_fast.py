"""fast=True: the fused int8 ONNX Runtime copy agrees with the fp32 model and is cached on disk.
(Speed is measured by scripts/bench_predict.py, never here.)"""

import dataclasses
import json
import shutil
from collections import Counter

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

import indosec
import indosec.fast
from tests.conftest import ROOT
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
    assert list(indosec_cache.glob("onnx-int8/*/model.int8.onnx"))  # the session's cache: other checkpoints' exports too

    def no_export(*args, **kwargs):
        raise AssertionError("exported again instead of using the cache")

    monkeypatch.setattr(indosec.fast, "export_int8", no_export)
    monkeypatch.setattr(indosec.fast, "print", no_export, raising=False)  # nothing to prepare: nothing said
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


def test_the_graph_is_fused_from_config_json_and_its_weights_quantized(fp32_and_fast):
    """One Attention per layer and the embeddings' layer norm fused, sized from the checkpoint's
    config.json (the tiny BERT: 2 layers, hidden 32, 2 heads); residual layer norms and GELU left
    unfused (ONNX Runtime's fused CPU kernels are slower); int8 weights where the recipe says."""
    import onnx

    fp32, fast = fp32_and_fast
    layers = fp32.config.num_hidden_layers
    recipe, chosen = fast.backend.recipe, indosec.fast.RECIPE
    assert recipe["fused_operators"] == {
        "EmbedLayerNormalization": 1, "Attention": layers, "MultiHeadAttention": 0, "SkipLayerNormalization": 0,
        "LayerNormalization": 2 * layers, "BiasGelu": 0, "Gelu": layers,
    }
    assert recipe["recipe"] == json.loads(json.dumps(dataclasses.asdict(chosen)))
    assert [len(c) for c in recipe["ffn_down_outlier_channels"].values()] == [chosen.ffn_down_outliers] * layers
    ops = Counter(n.op_type for n in onnx.load(str(fast.backend.path)).graph.node)
    assert ops["QAttention"] == layers and ops["Attention"] == 0
    kept = len(chosen.fp32_ffn_down_layers(layers))  # feed-forward output projections left in fp32
    assert ops["MatMulInteger"] == 3 * layers - kept  # per layer: attention output, feed-forward up and down
    # fp32: the pooler and the classifier (the optimizer turns their Gemm into MatMul), the
    # outlier branches' two products per layer, and any projection the recipe keeps
    assert ops["MatMul"] == 2 + 2 * layers * bool(chosen.ffn_down_outliers) + kept


def test_the_outlier_branch_computes_the_same_function(tiny_run, fp32_and_fast, tmp_path):
    """Moving feed-forward channels to an fp32 branch changes nothing in fp32 (only what the
    int8 path's scale must cover)."""
    from transformers import AutoModelForSequenceClassification

    fp32, _ = fp32_and_fast
    model = AutoModelForSequenceClassification.from_pretrained(str(tiny_run.run_dir))
    unquantized = indosec.fast.Recipe("split-only", quantize=("NoSuchOperator",), ffn_down_outliers=3)
    path = indosec.fast.export_int8(model, fp32.tokenizer, tmp_path, unquantized)
    clf = indosec.Classifier(indosec.fast.OnnxBackend(path), fp32.tokenizer, fp32.config)
    assert clf.logits(SENTENCES) == pytest.approx(fp32.logits(SENTENCES), abs=1e-4)
    assert len(clf.backend.recipe["ffn_down_outlier_channels"]["0"]) == 3


@pytest.mark.parametrize("name", ["fp32", "int8-ffn-down-fp32"])
def test_other_recipes_build_and_agree(tiny_run, fp32_and_fast, tmp_path, name):
    """The variants scripts/fast_variants.py compares: the fp32 fused graph matches torch to
    float precision; feed-forward output projections are kept in fp32 where a recipe says."""
    import onnx
    from transformers import AutoModelForSequenceClassification

    fp32, _ = fp32_and_fast
    model = AutoModelForSequenceClassification.from_pretrained(str(tiny_run.run_dir))
    path = indosec.fast.export_int8(model, fp32.tokenizer, tmp_path, indosec.fast.RECIPES[name])
    clf = indosec.Classifier(indosec.fast.OnnxBackend(path), fp32.tokenizer, fp32.config)
    ops = Counter(n.op_type for n in onnx.load(str(path)).graph.node)
    if name == "fp32":
        assert clf.logits(SENTENCES) == pytest.approx(fp32.logits(SENTENCES), abs=1e-4)
        assert ops["Attention"] == fp32.config.num_hidden_layers and ops["MatMulInteger"] == 0
    else:
        layers = fp32.config.num_hidden_layers
        assert (ops["QAttention"], ops["MatMulInteger"], ops["MatMul"]) == (layers, 2 * layers, layers + 2)
        assert clf.predict_proba(SENTENCES) == pytest.approx(fp32.predict_proba(SENTENCES), abs=0.03)


def test_the_first_fast_load_says_once_that_it_prepares_the_model(tiny_run, tmp_path, monkeypatch, capsys):
    from indosec import cli

    monkeypatch.setenv("INDOSEC_CACHE", str(tmp_path / "cache"))
    for _ in range(2):
        assert cli.main(["predict", SHORT, "--model", str(tiny_run.run_dir), "--fast"]) == 0
    err = capsys.readouterr().err
    assert err.count("preparing the fast model") == 1, err
    assert str(tmp_path / "cache") in err


def test_threads_reach_onnx_runtime_and_bad_values_are_refused(tiny_run, capsys):
    from indosec import cli

    assert indosec.load(str(tiny_run.run_dir), fast=True, threads=1).backend.threads == 1
    with pytest.raises(ValueError, match="threads"):
        indosec.load(str(tiny_run.run_dir), fast=True, threads=0)
    assert cli.main(["predict", SHORT, "--model", str(tiny_run.run_dir), "--fast", "--threads", "0"]) == 2
    assert "--threads must be at least 1" in capsys.readouterr().err


def _compare_fast(capsys, *args) -> tuple[int, str, str]:
    """scripts/compare_fast.py, run in this process (the models load in a second, not a new interpreter)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("compare_fast", ROOT / "scripts" / "compare_fast.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    code = script.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_compare_fast_exits_non_zero_outside_its_tolerance(tiny_run, capsys):
    data = ROOT / "data" / "validation.jsonl"
    code, _, err = _compare_fast(capsys, tiny_run.run_dir, "--data", data, "--tolerance", "-1")
    assert code == 1 and "FAIL: macro-F1 change" in err
    code, _, err = _compare_fast(capsys, tiny_run.run_dir, "--data", data, "--min-agreement", "1.01")
    assert code == 1 and "FAIL: labels unchanged" in err
    code, out, err = _compare_fast(capsys, tiny_run.run_dir, "--data", data, "--tolerance", "1", "--min-agreement", "0")
    assert code == 0, out + err
    assert "labels unchanged" in out and "fused graph" in out


def test_compare_fast_records_each_split_beside_the_fast_model_and_in_the_card(tiny_run, tmp_path, capsys):
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(tiny_run.run_dir, checkpoint)
    for split in ("validation", "test"):
        code, out, err = _compare_fast(capsys, checkpoint, "--data", ROOT / "data" / f"{split}.jsonl", "--tolerance", "1", "--min-agreement", "0", "--record")
        assert code == 0, out + err
    recorded = json.loads((checkpoint / "fast_mode.json").read_text(encoding="utf-8"))
    beside_model = json.loads((indosec.load(str(checkpoint), fast=True).backend.path.parent / "fast_mode.json").read_text(encoding="utf-8"))
    assert recorded == beside_model and list(recorded["splits"]) == ["data/validation.jsonl", "data/test.jsonl"]
    assert recorded["fast_model"]["fused_operators"]["Attention"] == 2
    card = (checkpoint / "README.md").read_text(encoding="utf-8")
    for data, r in recorded["splits"].items():
        assert r["within"]
        assert f"| `{data}` | {r['sentences']} | {r['macro_f1_fp32']:.4f} → {r['macro_f1_fast']:.4f} | {r['change']:+.4f} | {100 * r['agreement']:.1f}% |" in card
    assert "outside `compare_fast.py`'s limits" not in card
    # a split outside the limits is said in bold, not left to a reader comparing the figures
    recorded["splits"]["data/test.jsonl"]["within"] = False
    (checkpoint / "fast_mode.json").write_text(json.dumps(recorded), encoding="utf-8")
    from train.render.card import main as render_card

    assert render_card([str(checkpoint), "--out", str(tmp_path / "card.md")]) == 0
    assert "**On 1 of these splits fast mode is outside `compare_fast.py`'s limits**" in (tmp_path / "card.md").read_text(encoding="utf-8")


def test_fast_variants_compares_each_recipe_with_the_torch_model(tiny_run, tmp_path, capsys):
    """scripts/fast_variants.py: the torch model is the reference (change 0), the fused fp32
    graph agrees with it, and every row carries its recipe's description and fused operators."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fast_variants", ROOT / "scripts" / "fast_variants.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main([str(tiny_run.run_dir), "--data", str(ROOT / "data" / "validation.jsonl"), "--variants", "fp32", "int8-outliers-1",
                 "--repeats", "1", "--json", str(tmp_path / "variants.json")])
    record = json.loads((tmp_path / "variants.json").read_text(encoding="utf-8"))
    rows = {r["variant"]: r for r in record["rows"]}
    assert list(rows) == ["torch-fp32", "fp32", "int8-outliers-1"]
    assert rows["torch-fp32"]["change"] == 0 and rows["torch-fp32"]["fused_operators"] is None
    assert rows["fp32"]["agreement"] == 1 and rows["fp32"]["max_probability_change"] < 1e-3
    assert rows["int8-outliers-1"]["description"] == indosec.fast.RECIPES["int8-outliers-1"].describe()
    assert rows["fp32"]["fused_operators"]["Attention"] == 2 and len(record["load_average_before"]) == 3
    assert "| int8-outliers-1 |" in capsys.readouterr().out
