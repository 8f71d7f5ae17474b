import math
import re
import runpy

import numpy as np
import pytest
import torch
from transformers import pipeline

import indosec
from indosec.labels import EXAMPLES, LABELS
from tests.conftest import ROOT

SENTENCES = [
    "Kedua negara sepakat memperkuat kerja sama intelijen.",
    "Sebuah bom mobil meledak di dekat pos pemeriksaan di Idlib, menewaskan tujuh orang.",
    "Beijing menegaskan perairan Natuna Utara termasuk wilayah penangkapan ikan tradisionalnya.",
    "Para syuhada telah membuka jalan, kini giliran kalian berangkat ke medan jihad.",
    "Harga cabai rawit di Pasar Induk Kramat Jati naik dua kali lipat pekan ini.",
]


@pytest.fixture(scope="module")
def clf(tiny_run):
    return indosec.load(str(tiny_run.run_dir))


def test_predict_one_string_returns_one_prediction(clf):
    pred = clf.predict(SENTENCES[0])
    assert isinstance(pred, indosec.Prediction)
    assert pred.label in indosec.LABELS and 0 < pred.score <= 1
    assert pred.score == max(pred.probabilities.values())
    assert sum(pred.probabilities.values()) == pytest.approx(1, abs=1e-5)


def test_predict_list_keeps_input_order(clf):
    together = clf.predict(SENTENCES)
    one_by_one = [clf.predict(s) for s in SENTENCES]
    assert [p.label for p in together] == [p.label for p in one_by_one]
    for a, b in zip(together, one_by_one):
        assert a.score == pytest.approx(b.score, abs=1e-5)
    reversed_preds = clf.predict(SENTENCES[::-1])
    assert [p.score for p in reversed_preds] == pytest.approx([p.score for p in together][::-1], abs=1e-5)


def test_plain_pipeline_agrees_once_the_card_recipe_applies_the_temperature(clf, tiny_run):
    pipe = pipeline("text-classification", model=str(tiny_run.run_dir))
    ours = clf.predict(SENTENCES)
    assert [p.label for p in ours] == [t["label"] for t in pipe(SENTENCES)]  # scaling never changes the label
    # the model card's recipe: raw logits from the pipeline, divided by T, softmax
    T = clf.temperature
    for pred, logits in zip(ours, pipe(SENTENCES, top_k=None, function_to_apply="none")):
        z = {d["label"]: d["score"] / T for d in logits}
        norm = math.log(sum(math.exp(v) for v in z.values()))
        assert {label: math.exp(v - norm) for label, v in z.items()} == pytest.approx(pred.probabilities, abs=1e-4)


def test_module_level_predict_caches_the_model(tiny_run):
    path = str(tiny_run.run_dir)
    first = indosec.predict(SENTENCES[:2], model=path)
    indosec.predict(SENTENCES[0], model=path)
    assert indosec._cached.cache_info().hits >= 1
    assert [p.label for p in first] == [p.label for p in indosec.load(path).predict(SENTENCES[:2])]


def test_a_classifier_runs_on_any_backend_with_device_and_logits(clf):
    """The Classifier never asks which backend it has: an object with the two members of
    `indosec.backends.Backend` is enough, and labels and temperature come from the config."""

    class Fixed:
        device = torch.device("cpu")

        def logits(self, encoding):
            return np.tile(np.arange(len(clf.labels), dtype=np.float32), (len(encoding["input_ids"]), 1))

    stub = indosec.Classifier(Fixed(), clf.tokenizer, clf.config)
    pred = stub.predict(SENTENCES[0])
    assert pred.label == clf.labels[-1] and stub.device.type == "cpu"
    expected = torch.softmax(torch.arange(len(clf.labels), dtype=torch.float32) / clf.temperature, dim=-1).numpy()
    assert list(pred.probabilities.values()) == pytest.approx(expected, abs=1e-6)


def test_the_demo_shows_one_example_of_each_label(tiny_run, capsys):
    runpy.run_path(str(ROOT / "scripts" / "demo.py"), run_name="demo")["main"](str(tiny_run.run_dir))
    out = capsys.readouterr().out
    for label in LABELS:
        assert re.search(rf"^{label}\s+\w+\s+[01]\.\d\d\s+{re.escape(EXAMPLES[label][-1])}$", out, flags=re.MULTILINE), label


class Recording:
    """A backend that keeps every batch it is given and answers with the fp32 model."""

    def __init__(self, inner):
        self.inner, self.batches = inner, []

    @property
    def device(self):
        return self.inner.device

    def logits(self, encoding):
        self.batches.append({name: tensor.clone() for name, tensor in encoding.items()})
        return self.inner.logits(encoding)


def test_batches_are_sorted_by_token_length_and_rows_come_back_in_input_order(clf):
    """Length-aware batching: one tokenization per window, batches sorted by token length (not
    by characters: a long word is one character run but many tokens), each padded to its own
    longest row; the scores are those of the sentences one by one, in input order."""
    texts = ["Xyzzyqwvkj-plmnbrtq-zxcvbnmk qwrtyp.", "Ledakan terjadi.", *SENTENCES, "Bom meledak di pasar kota, tujuh orang tewas."]
    recording = Recording(clf.backend)
    sorted_clf = indosec.Classifier(recording, clf.tokenizer, clf.config, batch_size=3)
    logits = sorted_clf.logits(texts)
    widths = [int(b["attention_mask"].shape[1]) for b in recording.batches]
    assert widths == sorted(widths)
    assert all(int(b["attention_mask"].sum(1).max()) == b["attention_mask"].shape[1] for b in recording.batches)  # no column all padding
    lengths = [len(clf.tokenizer(t)["input_ids"]) for t in texts]
    firsts = [int(b["attention_mask"].sum(1).min()) for b in recording.batches]
    assert firsts == sorted(firsts) and firsts[0] == min(lengths)
    assert logits == pytest.approx(np.concatenate([clf.logits([t]) for t in texts]), abs=1e-5)


def test_sorting_stays_within_a_window_and_the_answer_does_not_depend_on_it(clf):
    texts = SENTENCES * 3
    small = indosec.Classifier(Recording(clf.backend), clf.tokenizer, clf.config, batch_size=2, sort_window=4)
    assert small.logits(texts) == pytest.approx(clf.logits(texts), abs=1e-5)
    assert sum(len(b["input_ids"]) for b in small.backend.batches) == len(texts)
    assert len(small.backend.batches) == 2 * 3 + 2  # windows of 4, 4, 4, 3 sentences: two batches each but the last
