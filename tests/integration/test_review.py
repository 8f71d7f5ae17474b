"""The review loop, driven with gradio_client as a person drives it: `indosec review` as a real
server, killed mid-review and restarted on the same labels file; two tabs on one file; the
review order. Nothing lost, nothing twice, every line valid article data."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

gradio_client = pytest.importorskip("gradio_client", reason="the app extra: pip install 'indosec[app]'")

from indosec.reviewed import read_decisions  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.integration.test_app import articles, free_port  # noqa: E402
from train.data.reviewed import read_reviewed  # noqa: E402

SHOWN = re.compile(r'data-article="([^"]+)" data-start="(\d+)" data-end="(\d+)"')


def shown(view: str):
    m = SHOWN.search(view)
    return (m[1], int(m[2]), int(m[3])) if m else None


@pytest.fixture
def article_file(tmp_path):
    path = tmp_path / "berita.jsonl"
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in articles(3)), encoding="utf-8")
    return path


def start_server(model, article_file, out, port):
    cmd = [sys.executable, "-m", "indosec.cli", "review", "--model", str(model), "--articles", str(article_file),
           "--out", str(out), "--annotator", "ana", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"indosec review exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            return proc, gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False)
        except Exception:  # not listening yet
            time.sleep(1)
    proc.kill()
    raise AssertionError("indosec review did not start in 240 s")


def test_review_20_kill_the_server_restart_and_nothing_is_lost_or_twice(tiny_run, article_file, tmp_path):
    import indosec
    from indosec.review import queue

    out = tmp_path / "labels.jsonl"
    clf = indosec.load(str(tiny_run.run_dir), device="cpu")
    labels = clf.labels
    texts = articles(3)
    items = queue(clf, [(f"berita.jsonl:{i}", t) for i, t in enumerate(texts, 1)])  # the default order, as the server's
    model_label = {it.key: it.model_label for it in items}
    assert len(items) >= 25
    expected, seen = {}, []
    # keys: labels by number, Enter (the model's label), a skip and an undo of it, an undo of a decision
    plan = [["1", "enter", "3", "s", "u", "5", "2", "u", "2", "enter", "4", "1", "enter"],
            ["enter", "2", "3", "s", "4", "5", "1", "enter", "u", "enter", "2", "enter", "3", "1"]]  # 9 + 11 decisions
    for round_keys in plan:
        port = free_port()
        proc, client = start_server(tiny_run.run_dir, article_file, out, port)
        try:
            view, counts, message = client.predict(None, None, str(out), "ana", api_name="/review_start")
            assert f"{len(expected)} sentence(s) already in" in message
            last = []
            for k in round_keys:
                current = shown(view)
                assert current not in expected, "a done sentence was shown again"
                seen.append(current)
                view, counts, message = client.predict(k, api_name="/review_key")
                if k == "u":
                    undone = last.pop()
                    expected.pop(undone, None)
                    assert shown(view) == undone
                elif k == "s":
                    last.append(current)
                else:
                    expected[current] = model_label[current] if k == "enter" else labels[int(k) - 1]
                    last.append(current)
            assert f"**{len(expected)} labelled**" in counts
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # no clean shutdown: as a crash or a closed laptop
            proc.wait()
    assert len(expected) == 20
    rows, problems = read_decisions(out, labels)
    assert problems == []
    written = {(r.fields["id"], r.fields["sentences"][0]["start"], r.fields["sentences"][0]["end"]): r.fields["sentences"][0]["label"] for r in rows}
    assert len(rows) == len(written) == 20 and written == expected
    assert all(r.fields["sentences"][0]["annotator"] == "ana" for r in rows)
    # the server's queue is the default (seeded) order: the first shown is its first
    assert seen[0] == items[0].key
    assert sum(len(a["sentences"]) for a in read_reviewed([out], labels)) == 20


def test_two_tabs_on_one_file_never_write_a_sentence_twice(tiny_run, article_file, tmp_path):
    import indosec
    from indosec.app import build_app
    from indosec.review_app import ReviewOptions

    out = tmp_path / "labels.jsonl"
    clf = indosec.load(str(tiny_run.run_dir), device="cpu")
    page = build_app(clf, ReviewOptions(str(out), [str(article_file)], "ana"))
    port = free_port()
    page.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        first, second = (gradio_client.Client(f"http://127.0.0.1:{port}/", verbose=False) for _ in range(2))
        view1, *_ = first.predict(None, None, str(out), "ana", api_name="/review_start")
        view2, *_ = second.predict(None, None, str(out), "budi", api_name="/review_start")
        assert shown(view1) == shown(view2)  # both tabs start on the first sentence of one seeded order
        first.predict("1", api_name="/review_key")
        _, _, message = second.predict("2", api_name="/review_key")  # the same sentence, done by the first tab meanwhile
        assert "Already labelled" in message
        for _ in range(3):
            first.predict("enter", api_name="/review_key")
        # the second tab still shows the sentence the first decided after it: refused, then it goes on
        messages = [second.predict("3", api_name="/review_key")[2] for _ in range(3)]
        assert "Already labelled" in messages[0] and not any("Already" in m for m in messages[1:])
        rows, problems = read_decisions(out, clf.labels)
        keys = [(r.fields["id"], r.fields["sentences"][0]["start"]) for r in rows]
        assert problems == [] and len(keys) == len(set(keys)) == 1 + 3 + 2
        assert {r.fields["sentences"][0]["annotator"] for r in rows} == {"ana", "budi"}
    finally:
        page.close()


def test_the_simulated_loop_prints_each_order_and_budget_and_writes_a_valid_labels_file(tiny_run, tmp_path, capsys):
    """scripts/simulate_review.py on the tiny model, one seed and small budgets: a row per order
    and budget, and the labels file it writes for the retraining is what the Review tab writes."""
    from tests.integration.test_bench import _script

    out = tmp_path / "simulated.jsonl"
    code = _script("simulate_review").main([str(tiny_run.run_dir), "--seeds", "0", "--budgets", "4", "8", "--orders", "doubt", "random",
                                            "--replay", "8", "--epochs", "1", "--labels-out", str(out)])
    assert code == 0
    table = capsys.readouterr().out
    for row in ("| none | 0 |", "| doubt | 4 |", "| doubt | 8 |", "| random | 4 |", "| random | 8 |"):
        assert row in table
    labels = list(tiny_run.cfg.data.labels)
    assert sum(len(a["sentences"]) for a in read_reviewed([out], labels)) == 8
