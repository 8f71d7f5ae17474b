"""The `indosec` command.

    indosec predict "Kedua negara sepakat memperkuat kerja sama intelijen." --model outputs/quickstart
    indosec predict --input sentences.txt|.jsonl|.csv --output out.jsonl [--text-column kalimat]
    cat sentences.txt | indosec predict             # standard input: one sentence per line
    indosec predict --document artikel.txt|.jsonl|.csv [...] [--threshold 0.6] [--fast]   # .jsonl/.csv: an article a row
    indosec app --model outputs/quickstart        # a local page (pip install 'indosec[app]')
    indosec review --model outputs/quickstart --articles berita.jsonl --out labels.jsonl   # the page's Review tab

Output is JSON Lines (stdout unless --output): one object per sentence, in input order, with
`line` (and `id` and the row's other fields) for files; one object per article for --document,
with `document` (the file), and for .jsonl/.csv also `line`, `id` and the other fields. An input
field named like an output key (a `label` column) comes out as `input_<name>`.
Files are streamed in chunks, each written and flushed before the next is read.

Standard input (`--input -`, `--document -`, or piped when no sentence or file is given) is one
sentence per line unless --format names jsonl or csv; --format also overrides a file's suffix.

CSV may be comma-, semicolon- or tab-separated (detected from the header, or --delimiter).

Exit status: 0 all input labelled; 1 some input was bad (each bad line is reported on stderr
as `file:line: what`, the good lines are all written); 2 nothing could be done (bad
arguments, unreadable file, no readable line in it, model that does not load); 130
interrupted (Ctrl-C), with every chunk written so far complete.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from importlib.metadata import version
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path

from tqdm import tqdm

from indosec.classifier import check_device, check_text, load
from indosec.articles import article_records
from indosec.records import DELIMITERS, FORMATS, STDIN, SUFFIX_FORMATS, InputError, Record, Source, open_source, read_records
from indosec.results import check_threshold
from indosec.review_app import ReviewOptions, add_review_command
from indosec.locate import HubUnavailable

EXIT_OK, EXIT_BAD_INPUT, EXIT_FAILED = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("app", "review"):
        return _app(args)
    try:
        return _predict(args)
    except InputError as e:
        print(f"indosec: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("indosec: interrupted; the lines written so far are complete", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `indosec predict ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="indosec", description="Label Indonesian security-news sentences.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('indosec')}")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "predict", help="label sentences, a file of sentences, or whole articles",
        epilog="Standard input is read with --input -, or when nothing else is given and input is piped "
        "(cat kalimat.txt | indosec predict): one sentence per line, unless --format says jsonl or csv.",
    )
    p.add_argument("texts", nargs="*", metavar="TEXT", help="sentences to label")
    p.add_argument("--input", type=Path, help="a .txt (one sentence per line), .jsonl or .csv file; - for standard input (the default when it is piped)")
    p.add_argument("--format", choices=FORMATS, help="format of --input or --document (default: the suffix; txt for standard input)")
    p.add_argument("--document", type=Path, nargs="+", metavar="FILE",
                   help="articles, each split into sentences: a .txt file (or - for standard input) is one article; "
                        "each line of a .jsonl and each row of a .csv is one (field --text-column, other fields carried to the output)")
    p.add_argument("--output", type=Path, help="where to write JSON Lines, a .jsonl file (default: stdout)")
    p.add_argument("--model", default=os.environ.get("INDOSEC_MODEL"), help="checkpoint folder or Hub id (default: $INDOSEC_MODEL)")
    p.add_argument("--revision", help="Hub revision of --model")
    p.add_argument("--text-column", default="text", help="field holding the sentence in .jsonl/.csv (default: text)")
    p.add_argument("--id-column", default="id", help="field copied to the output when present (default: id)")
    p.add_argument("--delimiter", choices=[",", ";", "tab"], metavar="{',' | ';' | tab}", help="CSV delimiter (default: detected from the header; tab for .tsv)")
    p.add_argument("--threshold", type=float, help="below this probability the label is null, for a person to read. A calibrated "
                   "checkpoint's scores have their own range: its model card's coverage table gives, per threshold, the share "
                   "of test sentences kept and their accuracy")
    p.add_argument("--fast", action="store_true", help="int8 ONNX Runtime on the CPU (pip install 'indosec[fast]')")
    p.add_argument("--device", help="cpu, cuda, cuda:1 ... (default: cuda when available)")
    p.add_argument("--batch-size", type=int, help="sentences per model call (default: 32; 8 with --fast); lower it if memory runs out")
    p.add_argument("--threads", type=int, help="CPU threads for the model (default: the physical cores, or $OMP_NUM_THREADS)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar for --input and --document")
    for a in (commands.add_parser("app", help="a local page: paste or upload articles, see every sentence highlighted"),
              add_review_command(commands)):
        a.add_argument("--model", default=os.environ.get("INDOSEC_MODEL"), help="checkpoint folder or Hub id (default: $INDOSEC_MODEL)")
        a.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
        a.add_argument("--port", type=int, help="port (default: 7860 or the next free one; 0: any free port)")
    return parser


def _app(args) -> int:
    if not args.model:
        print("indosec: error: no model: pass --model FOLDER_OR_HUB_ID or set INDOSEC_MODEL", file=sys.stderr)
        return EXIT_FAILED
    try:
        import gradio  # noqa: F401
    except ImportError:
        print("indosec: error: the app needs Gradio: pip install 'indosec[app]'", file=sys.stderr)
        return EXIT_FAILED
    from indosec.app import free_port, port_is_free, serve

    try:
        review = ReviewOptions.from_args(args) if args.command == "review" else None
    except ValueError as e:
        print(f"indosec: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    # the port before the model loads: a taken port is the user's to change, not a load failure
    port = free_port(args.host) if args.port == 0 else args.port
    if port is not None and not port_is_free(args.host, port):
        print(f"indosec: error: port {port} on {args.host} is taken (another `indosec app`?); choose another "
              f"with --port {free_port(args.host)}, or --port 0 for any free one", file=sys.stderr)
        return EXIT_FAILED
    try:
        serve(args.model, host=args.host, port=port, review=review)
    except (OSError, ValueError) as e:
        print(f"indosec: error: cannot load model {args.model!r}: {e}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK



def _predict(args) -> int:
    # 1. arguments and input files are checked before the model loads (which takes seconds)
    sources = sum(bool(x) for x in (args.texts, args.input, args.document))
    if sources == 0 and sys.stdin is not None and not sys.stdin.isatty():
        args.input, sources = Path(STDIN), 1  # `... | indosec predict`: read what is piped in
    if sources != 1:
        raise InputError("give sentences, --input FILE or --document FILE (exactly one of them), or pipe sentences in")
    if not args.model:
        raise InputError("no model: pass --model FOLDER_OR_HUB_ID or set INDOSEC_MODEL")
    for option, number in (("--batch-size", args.batch_size), ("--threads", args.threads)):
        if number is not None and number < 1:
            raise InputError(f"{option} must be at least 1, got {number}")
    for option, check, value in (("--threshold", check_threshold, args.threshold), ("--device", check_device, args.device)):
        try:
            if value is not None:
                check(value)
        except ValueError as e:
            raise InputError(f"{option}: {e}") from None
    for i, text in enumerate(args.texts, 1):
        try:
            check_text(text)
        except ValueError as e:
            raise InputError(f"sentence {i} {e}")
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    source = None
    if args.input:
        source = open_source(args.input, format=args.format, text_column=args.text_column, delimiter=delimiter)
        if source.format == "csv":
            how = "given" if args.delimiter else "detected from the header; set it with --delimiter"
            print(f"indosec: reading {source.name} as {DELIMITERS[source.delimiter]}-separated ({how})", file=sys.stderr)
    documents = [open_source(path, format=_document_format(path, args.format), text_column=args.text_column, delimiter=delimiter)
                 for path in args.document or ()]
    if args.output:
        if args.output.suffix.lower() in (".csv", ".tsv", ".txt"):
            raise InputError(f"--output {args.output}: the output is JSON Lines; name the file .jsonl")
        if not args.output.parent.is_dir():
            raise InputError(f"--output {args.output}: folder {args.output.parent} does not exist")
        if any(args.output.resolve() == p.resolve() for p in [args.input, *(args.document or ())] if p and str(p) != STDIN):
            raise InputError(f"--output {args.output} is also an input file; it would be overwritten")

    # 2. the model
    try:
        options = {"batch_size": args.batch_size} if args.batch_size else {}
        clf = load(args.model, revision=args.revision, device=args.device, fast=args.fast, threads=args.threads, **options)
    except (ImportError, HubUnavailable) as e:  # their messages say what to do
        print(f"indosec: error: {e}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, ValueError) as e:
        print(f"indosec: error: cannot load model {args.model!r}: {e}", file=sys.stderr)
        return EXIT_FAILED

    # 3. predictions, written as they are made. Straight into --output, not a temporary
    #    name moved into place at the end: after a crash or Ctrl-C on a big file, the
    #    lines already labelled are kept (every line written is complete).
    with (open(args.output, "w", encoding="utf-8") if args.output else nullcontext(sys.stdout)) as out:
        if args.texts:
            records = [Record(i, text=t) for i, t in enumerate(args.texts, 1)]
            _write_predictions(clf, records, out, args.threshold, source="argument")
            return EXIT_OK
        if args.document:
            with _progress(None, "articles", "article", args.no_progress) as progress:
                return _write_documents(clf, documents, out, args, progress)
        records = read_records(source, args.text_column, args.id_column)
        total = None if str(args.input) == STDIN else count_lines(args.input)
        with _progress(total, Path(source.name).name, "line", args.no_progress) as progress:
            bad, good = _write_predictions(clf, records, out, args.threshold, source=source.name, progress=progress)
        if not good:
            what = f"none of the {bad} line(s) in {source.name} could be read" if bad else f"no sentence in {source.name}"
            print(f"indosec: error: {what}; nothing labelled", file=sys.stderr)
            return EXIT_FAILED
        if bad:
            print(f"indosec: {bad} bad line(s) in {source.name} skipped; the other {good} labelled", file=sys.stderr)
        return EXIT_BAD_INPUT if bad else EXIT_OK


def _write_predictions(clf, records: Iterable[Record], out, threshold, *, source: str, progress=None) -> tuple[int, int]:
    """Label good records chunk by chunk, in input order; report bad ones. Returns the
    numbers of bad and of labelled records."""
    chunk_size = clf.sort_window  # sorted by token length within it (Classifier.logits); nothing more is held
    chunk, bad, good, last_line = [], 0, 0, 0
    for record in records:
        if record.text is not None:
            try:
                check_text(record.text, max_chars=clf.max_chars)
            except (TypeError, ValueError) as e:
                hint = "; a whole article? label it with --document FILE, which splits it into sentences" if len(record.text) > clf.max_chars else ""
                record = dataclasses.replace(record, text=None, error=f"text {e}{hint}")
        if record.error is not None:
            print(f"{source}:{record.line}: {record.error}", file=sys.stderr)
            bad += 1
        else:
            chunk.append(record)
            good += 1
        if len(chunk) >= chunk_size:
            _flush(clf, chunk, out, threshold)
            chunk = []
        if progress is not None:
            progress.update(record.line - last_line)
            last_line = record.line
    if chunk:
        _flush(clf, chunk, out, threshold)
    return bad, good


def count_lines(path: str | Path) -> int:
    """Lines in the file, for the progress bar's total (one fast pass, constant memory)."""
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _progress(total, desc: str, unit: str, off: bool) -> tqdm:
    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=True if off else None)  # None: only at a terminal


def _flush(clf, chunk: list[Record], out, threshold) -> None:
    preds = clf.predict([r.text for r in chunk], threshold=threshold)
    for record, pred in zip(chunk, preds):
        result = {"text": record.text} | dataclasses.asdict(pred)
        out.write(json.dumps(_carried(record, result) | result, ensure_ascii=False) + "\n")
    out.flush()


def _carried(record: Record, result: dict) -> dict:
    """What the output keeps of the input row: its line, id and other fields, in their order. A
    field named like one of the result's keys (a `label` column) keeps its value as `input_<name>`."""
    carried = {"line": record.line} | ({"id": record.id} if record.id is not None else {})
    for key, value in (record.fields or {}).items():
        carried[f"input_{key}" if key in result or key in carried else key] = value
    return carried


def _document_format(path: Path, format: str | None) -> str:
    """--format, else the suffix's; a file of another suffix (or standard input) is one article of text."""
    return format or ("txt" if str(path) == STDIN else SUFFIX_FORMATS.get(path.suffix.lower(), "txt"))


def _write_documents(clf, sources: list[Source], out, args, progress) -> int:
    """Label every article of every source, one JSON object each, in order; report bad ones."""
    status, labelled, seen = EXIT_OK, 0, 0
    for source in sources:
        for record in article_records(source, args.text_column, args.id_column):
            where = source.name if source.format == "txt" else f"{source.name}:{record.line}"
            seen += 1
            progress.update()
            if record.error is not None:
                print(f"{where}: {record.error}", file=sys.stderr)
                status = EXIT_BAD_INPUT
                continue
            doc = dataclasses.asdict(clf.predict_document(record.text, threshold=args.threshold))
            if not doc["sentences"]:
                print(f"{where}: no sentences found", file=sys.stderr)
                status = EXIT_BAD_INPUT
            labelled += bool(doc["sentences"])
            carried = {} if source.format == "txt" else _carried(record, doc)
            out.write(json.dumps({"document": source.name} | carried | doc, ensure_ascii=False) + "\n")
            out.flush()
    if not labelled:
        print(f"indosec: error: no sentence found in any of the {seen} article(s); nothing labelled", file=sys.stderr)
        return EXIT_FAILED
    return status


if __name__ == "__main__":
    sys.exit(main())
