"""`indosec app`: a local page where an analyst pastes or uploads Indonesian articles and sees
every sentence highlighted by label (`pip install 'indosec[app]'`).

    indosec app --model outputs/quickstart [--port 7860]

Built on indosec's public API only: `load`, `predict_document` and its threshold rule. Each
article is labelled once; the threshold slider re-labels from the stored probabilities without
running the model again. Bad input (an empty paste, a binary or non-UTF-8 file, a CSV without
the text column, a file over the size limit, bad lines) gets a message on the page, and every
good file is still labelled. Results download as JSON Lines (what `indosec predict --document`
writes) and as CSV (one row per sentence).
"""

from __future__ import annotations

import atexit
import csv
import dataclasses
import html
import json
import shutil
import socket
import tempfile
from pathlib import Path

import numpy as np

from indosec.articles import article_records
from indosec.records import SUFFIXES, InputError, open_source
from indosec.results import SentencePrediction, document_prediction, to_prediction

MAX_FILE_BYTES = 2_000_000  # an article is a few kB; a bigger file is a mistake, not news
UNCERTAIN = "needs a person"
COLOURS = {
    "security_cooperation": "#8ecae6", "attack": "#f4978e", "territorial_claim": "#ffd166",
    "propaganda": "#c77dff", "other": "#e9ecef", UNCERTAIN: "#ffffff",
}
PASTED = "pasted article"


def read_articles(paste: str | None, paths: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, text) of every article in the paste and the files, and one message per problem.
    A .txt file is one article; each line of a .jsonl and each row of a .csv is one (field or
    column `text`)."""
    articles, problems = [], []
    if paste is not None and paste.strip():
        articles.append((PASTED, paste))
    for path in map(Path, paths or []):
        name = path.name
        if path.suffix.lower() not in SUFFIXES:
            problems.append(f"{name}: not a .txt, .jsonl, .csv or .tsv file; skipped")
        elif path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{name}: {path.stat().st_size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit; skipped")
        else:
            try:
                for record in article_records(open_source(path)):
                    where = name if path.suffix.lower() == ".txt" else f"{name}:{record.line}"
                    if record.error:
                        problems.append(f"{where}: {record.error}")
                    else:
                        articles.append((where, record.text))
            except InputError as e:  # the CLI's advice (--text-column, --delimiter) does not apply here
                problems.append(e.problem.replace(str(path), name) + ("; skipped" if "binary" in e.problem else "; the page reads the column `text`"))
    if not articles and not problems:
        problems.append("nothing to label: paste an article or upload files")
    return articles, problems


def label_articles(clf, articles: list[tuple[str, str]], progress=None) -> tuple[list[dict], list[str]]:
    """Run document mode on each article once; keep every sentence's probabilities, so that
    the threshold can change later without the model."""
    results, problems = [], []
    for i, (name, text) in enumerate(articles):
        if progress is not None:
            progress((i, len(articles)), desc=f"labelling {name}")
        doc = clf.predict_document(text)
        if not doc.sentences:
            problems.append(f"{name}: no sentences found")
            continue
        sentences = [{"start": s.start, "end": s.end, "text": s.text, "probabilities": s.probabilities} for s in doc.sentences]
        results.append({"name": name, "sentences": sentences})
    return results, problems


def with_threshold(result: dict, labels: list[str], threshold: float):
    """The article's DocumentPrediction at this threshold (the rule `predict` applies)."""
    sentences = []
    for s in result["sentences"]:
        p = to_prediction(np.array([s["probabilities"][lab] for lab in labels]), labels, threshold or None)
        sentences.append(SentencePrediction(p.label, p.score, p.probabilities, s["text"], s["start"], s["end"]))
    return document_prediction(sentences, labels)


def article_html(name: str, doc, labels: list[str]) -> str:
    """One article: a bar per label (count and share), then every sentence in its label's
    colour, with label and probability on hover; uncertain sentences dashed."""
    n = len(doc.sentences)
    bars = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;font-size:12px">'
        f'<span style="width:150px">{lab}</span>'
        f'<span style="display:inline-block;height:10px;width:{200 * doc.summary[lab].share:.0f}px;background:{COLOURS.get(lab, "#ccc")};border:1px solid #999"></span>'
        f"<span>{doc.summary[lab].count} ({doc.summary[lab].share:.0%})</span></div>"
        for lab in labels
    )
    uncertain = f'<div style="font-size:12px">{UNCERTAIN}: {doc.uncertain} of {n}</div>'
    spans = []
    for s in doc.sentences:
        label = s.label or UNCERTAIN
        border = "1px dashed #d00" if s.label is None else "none"
        tip = html.escape(f"{label} · {s.score:.2f}" + ("" if s.label else f" (best guess {max(s.probabilities, key=s.probabilities.get)})"))
        spans.append(
            f'<span class="sentence" data-label="{html.escape(label)}" title="{tip}" '
            f'style="background:{COLOURS.get(label, "#ccc")};border:{border};padding:1px 2px;margin:1px;border-radius:3px">'
            f"{html.escape(s.text)}</span>"
        )
    return (
        f'<div class="article" style="border:1px solid #ccc;border-radius:6px;padding:10px;margin-bottom:12px">'
        f"<h4 style='margin:0 0 6px 0'>{html.escape(name)}</h4>{bars}{uncertain}"
        f'<p style="line-height:1.9">{" ".join(spans)}</p></div>'
    )


def summary_rows(docs: list[tuple[str, object]], labels: list[str]) -> list[list]:
    """One row per article: sentences, uncertain, and each label's share (for sorting)."""
    return [[name, len(doc.sentences), doc.uncertain, *(round(doc.summary[lab].share, 3) for lab in labels)] for name, doc in docs]


def write_downloads(docs: list[tuple[str, object]], folder: Path) -> tuple[str, str]:
    """results.jsonl (one object per article, as `indosec predict --document` writes) and
    results.csv (one row per sentence)."""
    jsonl, table = folder / "results.jsonl", folder / "results.csv"
    with open(jsonl, "w", encoding="utf-8") as f:
        for name, doc in docs:
            f.write(json.dumps({"document": name} | dataclasses.asdict(doc), ensure_ascii=False) + "\n")
    with open(table, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["document", "start", "end", "text", "label", "score"])
        for name, doc in docs:
            for s in doc.sentences:
                writer.writerow([name, s.start, s.end, s.text, s.label or "", f"{s.score:.4f}"])
    return str(jsonl), str(table)


def downloads_folder(previous: str | None, *, fresh: bool) -> str:
    """The folder a session's downloads are written to: its folder of the last labelling, reused
    when only the threshold moves (the files are rewritten in place; Gradio serves copies), or a
    fresh one for a new labelling, the previous one deleted. So a session holds one folder, not
    one per threshold move; those left at exit are deleted then."""
    if previous and Path(previous).is_dir() and not fresh:
        return previous
    if previous:
        shutil.rmtree(previous, ignore_errors=True)
        _LIVE_FOLDERS.discard(previous)
    folder = tempfile.mkdtemp(prefix="indosec-app-")
    _LIVE_FOLDERS.add(folder)
    return folder


_LIVE_FOLDERS: set[str] = set()
atexit.register(lambda: [shutil.rmtree(f, ignore_errors=True) for f in list(_LIVE_FOLDERS)])


def render(results: list[dict], problems: list[str], labels: list[str], threshold: float, folder: str):
    """Everything the page shows for these results at this threshold; downloads go to `folder`."""
    docs = [(r["name"], with_threshold(r, labels, threshold)) for r in results]
    page = "".join(article_html(name, doc, labels) for name, doc in docs) or "<p>No article labelled.</p>"
    legend = " ".join(f'<span style="background:{COLOURS[k]};padding:2px 6px;border:1px solid #999;border-radius:3px">{k}</span>' for k in (*labels, UNCERTAIN) if k in COLOURS)
    message = "\n".join(f"- {p}" for p in problems) if problems else f"{len(docs)} article(s) labelled."
    jsonl, table = write_downloads(docs, Path(folder)) if docs else (None, None)
    return f"<div>{legend}</div>{page}", summary_rows(docs, labels), jsonl, table, message


def build_app(clf, review=None):
    """The Gradio Blocks page for a loaded Classifier: the Label tab, and the Review tab
    (`indosec.review_app`), opened first when `review` (ReviewOptions) is given."""
    import gradio as gr

    from indosec.review_app import ReviewOptions, review_tab

    labels = list(clf.labels)
    headers = ["article", "sentences", UNCERTAIN, *(f"{lab} share" for lab in labels)]

    def run(paste, files, threshold, folder, progress=gr.Progress()):
        articles, problems = read_articles(paste, [getattr(f, "name", f) for f in files or []])
        results, empty = label_articles(clf, articles, progress)
        folder = downloads_folder(folder, fresh=True)
        return (*render(results, problems + empty, labels, threshold, folder), results, problems + empty, folder)

    def rethreshold(results, problems, threshold, folder):
        folder = downloads_folder(folder, fresh=False)
        return (*render(results or [], problems or [], labels, threshold, folder), folder)

    with gr.Blocks(title="indosec: Indonesian security-news sentences") as page:
        with gr.Tabs(selected="review" if review else "label"):
            with gr.Tab("Label", id="label"):
                gr.Markdown("## indosec: every sentence of an article, labelled\nPaste an article or upload `.txt` (one article), "
                            "`.jsonl` or `.csv` (one article per line or row, field `text`). Hover a sentence for its label and probability.")
                with gr.Row():
                    paste = gr.Textbox(label="Article", lines=8, placeholder="Tempel artikel di sini ...")
                    files = gr.File(label="Files", file_count="multiple", file_types=list(SUFFIXES))
                threshold = gr.Slider(0, 1, value=0.5, step=0.05, label=f"Threshold: below it a sentence is marked '{UNCERTAIN}'")
                button = gr.Button("Label", variant="primary")
                message = gr.Markdown()
                table = gr.Dataframe(headers=headers, label="Articles (sort from a column's ⋮ menu)", interactive=False)
                articles_html = gr.HTML()
                with gr.Row():
                    jsonl = gr.File(label="Download JSON Lines")
                    table_csv = gr.File(label="Download CSV")
                results, problems, folder = gr.State([]), gr.State([]), gr.State(None)
                outputs = [articles_html, table, jsonl, table_csv, message]
                button.click(run, [paste, files, threshold, folder], [*outputs, results, problems, folder], api_name="label")
                threshold.release(rethreshold, [results, problems, threshold, folder], [*outputs, folder], api_name="threshold")
            with gr.Tab("Review", id="review"):
                review_tab(clf, review or ReviewOptions(), read_articles)
    return page


def serve(model: str, *, host: str = "127.0.0.1", port: int | None = None, review=None, **launch) -> None:
    """Load `model` and serve the page until Ctrl-C. Gradio's own notes are silenced: they tell
    a developer what to pass to `launch()` (`share=True`), which a user of the command cannot."""
    import indosec
    from indosec.review_app import KEYS_JS

    page = build_app(indosec.load(model), review)
    page.launch(server_name=host, server_port=port, quiet=True, prevent_thread_lock=True, head=KEYS_JS, **launch)
    print(f"indosec app: {page.local_url} (Ctrl-C to stop)", flush=True)
    page.block_thread()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the system's choice)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
