"""The Review tab of `indosec app`, and `indosec review`, which opens the page on it:

    indosec review --model outputs/quickstart --articles berita.jsonl artikel.txt --out labels.jsonl [--annotator ana]

Articles from the command line, a paste or uploaded files go through `predict_document`; their
sentences come in a seeded random order, or most doubtful first with `--order doubt`
(`indosec.review` says why random is the default). Every decision is appended to the labels
file at once (`indosec.reviewed`), so closing the page or killing the server loses nothing, and
starting again on the same file goes on where the review stopped.

Keys (when the focus is not in a text box): 1-5 a label, Enter accepts, S skips, U undoes.
`api_name`s `review_start` and `review_key` let gradio_client drive it as a person would.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from indosec.records import SUFFIXES
from indosec.review import ORDERS, Session, item_html, queue
from indosec.reviewed import LabelsFile

# Keys press the tab's buttons; ignored while typing in a text box or when the tab is hidden.
KEYS_JS = """<script>
document.addEventListener("keydown", (e) => {
  const t = e.target, tag = (t && t.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || (t && t.isContentEditable) || e.ctrlKey || e.metaKey || e.altKey) return;
  const accept = document.getElementById("review-accept");
  if (!accept || accept.offsetParent === null) return;
  const k = e.key.toLowerCase();
  const id = /^[1-9]$/.test(k) ? "review-key-" + k : k === "enter" ? "review-accept" : k === "s" ? "review-skip" : k === "u" ? "review-undo" : null;
  const button = id && document.getElementById(id);
  if (button) { e.preventDefault(); button.click(); }
});
</script>"""


@dataclass
class ReviewOptions:
    """What `indosec review` sets: the labels file, the articles to start from, who reviews."""

    labels_path: str = "labels.jsonl"
    article_paths: list[str] = field(default_factory=list)
    annotator: str = ""
    checkpoint: str = ""
    order: str = ORDERS[0]

    @classmethod
    def from_args(cls, args) -> ReviewOptions:
        """From `indosec review`'s arguments; ValueError naming a missing file or folder."""
        missing = [p for p in args.articles if not Path(p).is_file()]
        if missing or not Path(args.out).resolve().parent.is_dir():
            raise ValueError(f"{missing[0] if missing else Path(args.out).parent}: no such file or folder")
        return cls(args.out, list(args.articles), args.annotator, args.model, args.order)


def add_review_command(commands):
    """`indosec review`'s own arguments (the model, host and port are the app's)."""
    r = commands.add_parser("review", help="the app on its Review tab: label or correct the model's sentences in your articles")
    r.add_argument("--articles", nargs="*", default=[], help="article files (.txt one article; .jsonl/.csv one per line, field text)")
    r.add_argument("--out", required=True, help="labels file: each decision is appended at once; reopening it resumes")
    r.add_argument("--annotator", default=os.environ.get("USER", ""), help="your name, recorded with each label")
    r.add_argument("--order", choices=ORDERS, default=ORDERS[0], help="random (seeded; the default: doubt-first did not beat it in a "
                   "simulated loop) or doubt: smallest margin between the top two labels first")
    return r


def review_tab(clf, options: ReviewOptions, read_articles) -> None:
    """The tab's components and events, inside an open `gr.Blocks`; `read_articles` is the
    page's one way of reading a paste and uploaded files (`indosec.app.read_articles`)."""
    import gradio as gr

    labels = list(clf.labels)
    checkpoint = options.checkpoint or str(getattr(clf.config, "_name_or_path", ""))

    def begin(paste, files, labels_path, annotator):
        paths = list(options.article_paths) + [getattr(f, "name", f) for f in files or []]
        articles, problems = read_articles(paste, paths)
        labels_file = LabelsFile(labels_path, labels)
        session = Session(queue(clf, articles, options.order), labels_file, annotator=annotator, checkpoint=checkpoint)
        problems += labels_file.problems  # a bad line in the file is shown, never dropped
        done = len(labels_file.done)
        note = f"{len(articles)} article(s); {done} sentence(s) already in `{labels_path}` are not shown again."
        return (session, *show(session, "\n".join([note, *(f"- {p}" for p in problems)])))

    def press(session, pressed):
        if session is None:
            return None, item_html(None, labels), "", "Start the review first."
        try:
            message = session.press(pressed)
        except ValueError as e:
            message = str(e)
        return (session, *show(session, message))

    def show(session, message):
        return item_html(session.current(), labels), session.counts_text(), message

    with gr.Row():
        paste = gr.Textbox(label="Article (optional)", lines=4, placeholder="Tempel artikel di sini ...")
        files = gr.File(label="Files", file_count="multiple", file_types=list(SUFFIXES))
        with gr.Column():
            labels_path = gr.Textbox(label="Labels file (appended to, resumed from)", value=options.labels_path)
            annotator = gr.Textbox(label="Your name (recorded with each label)", value=options.annotator)
    start = gr.Button("Start review (most doubtful first)" if options.order == "doubt" else "Start review", variant="primary")
    message, counts = gr.Markdown(), gr.Markdown()
    view = gr.HTML()
    session = gr.State(None)
    outputs = [session, view, counts, message]
    with gr.Row():
        for k, lab in enumerate(labels, 1):
            gr.Button(f"{k} · {lab}", elem_id=f"review-key-{k}").click(
                lambda s, k=k: press(s, str(k)), [session], outputs, api_visibility="private")
    with gr.Row():
        for name, key in (("Enter · accept", "enter"), ("S · skip", "s"), ("U · undo", "u")):
            gr.Button(name, elem_id=f"review-{'accept' if key == 'enter' else {'s': 'skip', 'u': 'undo'}[key]}").click(
                lambda s, key=key: press(s, key), [session], outputs, api_visibility="private")
    key_box = gr.Textbox(visible=False)
    start.click(begin, [paste, files, labels_path, annotator], outputs, api_name="review_start")
    gr.Button(visible=False).click(press, [session, key_box], outputs, api_name="review_key")
