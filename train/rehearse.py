"""Rehearse the GPU box's run offline: configs/indobert-base.yaml on a model of IndoBERT-base's
exact shape, for a few steps, through every stage a user meets.

    python -m train.rehearse [--out outputs/rehearsal] [--steps 3]

IndoBERT's weights cannot be fetched here, so the model is built in the run: BERT with 12
layers, hidden 768, 12 heads, FFN 3072, 512 positions, randomly initialised, and an uncased
WordPiece tokenizer trained on our own sentences whose vocabulary is padded with `[unusedN]`
entries to IndoBERT's 50,000. Its tokenizer_config.json, like IndoBERT's on the Hub, sets
`do_lower_case` and no `model_max_length`. The figures it trains to mean nothing (a few
steps from random weights); what it checks is that every stage runs at this size:
training with evaluation, report and card, the fast-mode (ONNX int8) export and its accuracy
check, the Hub upload's dry run (which loads the folder with indosec and with plain
`transformers.pipeline`), and `predict_document` with offsets into the original text. Each
stage runs as the command a user would type, so exit codes and messages are real; they read
a few whole articles and samples of the sentences and contrastive pairs, not all of data/, and
leave out the contrast suite, which is only scored.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRESS = re.compile(r"\d+/\d+ \[|^\s*$")
# An article with a dateline, capitals (lower-cased by the tokenizer) and accents, so that
# offsets into the original text are checked where an uncased tokenizer could shift them.
ARTICLE = (
    "DAMASKUS, KOMPAS.com – Pasukan Rusia dan Turki menggelar patroli gabungan di Idlib, Suriah, "
    "pada Kamis (5/3/2020). Kementerian Pertahanan Turki menyebut patroli itu bagian dari "
    "kesepakatan gencatan senjata.\n\nSebuah bom mobil meledak di dekat pos pemeriksaan di "
    "Tal Abyad dan menewaskan delapan orang. Kelompok ISIS mengklaim serangan itu melalui "
    "kantor berita Amaq, menurut laporan Café Média."
)


def run_stage(name: str, command: list[str], log: list[dict], logs: Path) -> str:
    """Run one user command, its whole output kept in `logs`; stop the rehearsal if it fails."""
    print(f"\n== {name}: {' '.join(command)}", flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # the largest child so far
    output, saved = done.stdout, logs / f"{len(log) + 1}.log"
    saved.write_text(output, encoding="utf-8")
    # progress bars say nothing once finished; the rest is what a user reads
    print("\n".join(line for line in output.strip().splitlines() if line.strip() and not PROGRESS.search(line)))
    log.append({"stage": name, "seconds": round(seconds, 1), "exit": done.returncode})
    print(f"-- {name}: exit {done.returncode} after {seconds:.0f} s (largest process so far {peak_gb:.1f} GB RSS)", flush=True)
    if done.returncode != 0:
        raise SystemExit(f"rehearsal failed at stage {name!r} (exit {done.returncode}); its whole output is in {saved}")
    return output


def check_document(checkpoint: Path) -> str:
    """predict_document's offsets must point into the original text, capitals and accents included."""
    import indosec

    clf = indosec.load(str(checkpoint), device="cpu")
    result = clf.predict_document(ARTICLE)
    for sentence in result.sentences:
        original = ARTICLE[sentence.start:sentence.end]
        if original != sentence.text:
            raise SystemExit(f"predict_document offsets are wrong: {sentence.start}:{sentence.end} is {original!r}, not {sentence.text!r}")
    return f"{len(result.sentences)} sentences, offsets match the original text; labels {result.labels}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.rehearse", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "outputs" / "rehearsal", help="working folder (replaced)")
    parser.add_argument("--steps", type=int, default=2, help="optimizer steps of batch 32 (the config's batch)")
    parser.add_argument("--eval-samples", type=int, default=32, help="validation and test sentences scored (and contrastive pairs read)")
    parser.add_argument("--articles", type=int, default=4, help="whole articles per split, from data/articles/")
    args = parser.parse_args(argv)
    # the fast-mode stage needs the `fast` extra: say so now, not after minutes of training
    if importlib.util.find_spec("onnxruntime") is None:
        raise SystemExit("error: the rehearsal checks fast mode, which needs ONNX Runtime: pip install -e \".[train,fast]\" (the README's GPU-box step 1)")
    from train.backbones.indobert_shaped import INDOBERT_BASE, build_indobert_shaped
    from train.backbones.tiny_bert import corpus

    started = time.perf_counter()
    out = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    (out / "logs").mkdir(parents=True)
    os.environ["INDOSEC_CACHE"] = str(out / "cache")  # the ONNX export stays with the rehearsal
    backbone = build_indobert_shaped(out / "indobert-shaped", corpus(ROOT / "data") + corpus(ROOT / "data" / "articles"))
    print(f"built {backbone} ({INDOBERT_BASE['num_hidden_layers']} layers, hidden {INDOBERT_BASE['hidden_size']}, vocabulary {INDOBERT_BASE['vocab_size']:,})")
    # the first articles of each split, the first contrastive pairs and the first validation
    # sentences: every stage runs at this size, on less data than a real run reads
    for folder, splits, keep in (("articles", ("train", "validation", "test"), args.articles), ("contrastive", ("train", "validation"), args.eval_samples)):
        (out / folder).mkdir()
        for split in splits:
            lines = (ROOT / "data" / folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
            (out / folder / f"{split}.jsonl").write_text("".join(lines[:keep]), encoding="utf-8")
    sentences = out / "validation-sample.jsonl"
    sentences.write_text("".join((ROOT / "data" / "validation.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:args.eval_samples]), encoding="utf-8")
    checkpoint = out / "indobert-base"
    python, log = sys.executable, []
    run_stage("train, evaluate, report, card", [
        python, "-m", "train", "configs/indobert-base.yaml",
        f"model.model_name_or_path={backbone}", f"train.output_dir={out}", f"train.max_steps={args.steps}",
        f"data.max_train_samples={8 * 32}", f"data.max_eval_samples={args.eval_samples}", f"data.article_dir={out / 'articles'}",
        # the contrast suite is only scored (inference, as the test split is), and it cannot be
        # sampled (every rule needs its groups): the tiny integration run covers its section
        f"data.contrastive_dir={out / 'contrastive'}", "data.contrast_dir=null",
    ], log, out / "logs")
    for required in ("model.safetensors", "config.json", "tokenizer.json", "README.md", "metrics.json", "report/report.md"):
        if not (checkpoint / required).is_file():
            raise SystemExit(f"the checkpoint lacks {required}")
    if json.loads((checkpoint / "tokenizer_config.json").read_text(encoding="utf-8")).get("model_max_length") != 128:
        raise SystemExit("the checkpoint's tokenizer does not record model.max_length (128) as model_max_length")
    run_stage("fast mode: ONNX int8 export and accuracy check", [python, "scripts/compare_fast.py", str(checkpoint), "--data", str(sentences)], log, out / "logs")
    run_stage("Hub upload, dry run (it loads the folder with indosec and with plain transformers.pipeline)", [
        python, "scripts/push_to_hub.py", str(checkpoint), "--repo-id", "my-org/indosec-indobert", "--dry-run",
        "--allow-below-baseline",  # a few steps from random weights cannot beat the baseline
    ], log, out / "logs")
    print("\n== predict_document")
    print(check_document(checkpoint))
    total = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024**2
    print(f"\nRehearsal passed in {total / 60:.1f} min; largest process {peak:.1f} GB RSS; checkpoint folder "
          f"{sum(f.stat().st_size for f in checkpoint.rglob('*') if f.is_file()) / 1e9:.2f} GB")
    for entry in log:
        print(f"  {entry['stage']}: {entry['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
