"""Render a checkpoint's model card (its README.md) from the files the run wrote into it:
config.json, metrics.json, run_info.json (which also holds the TrainingArguments the run used) and
train_log.json, read through train.checkpoint. No number is typed by hand; re-rendering a
finished checkpoint gives the same card.

    python -m train.card outputs/quickstart                     # rewrite outputs/quickstart/README.md
    python -m train.card outputs/quickstart --out model_card.md --report-link reports/quickstart \\
        --reference-config configs/quickstart.yaml              # the repository's top-level card
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from indosec.labels import EXAMPLES, definition_table
from indosec.lengths import policy_sentence, token_limit
from train.bundled import E5, describe, is_bundled
from train.config import PROJECT_KEYS
from train.checkpoint import METRICS, OLD_CONFIG, RUN_INFO, read_config, read_metrics
from train.io import write_text_atomic

TEMPLATE = "model_card.md.j2"
DATASET_ID = "indosec-security-news-sentences"  # not on the Hub; the card says so
INDOBERT_CONFIG = "configs/indobert-base.yaml"
# The Hub's try-it box shows news reports; a propaganda sentence there would put recruitment
# text on the model's page, and `other` shows nothing.
WIDGET_EXAMPLES = [EXAMPLES[label][0] for label in ("security_cooperation", "attack", "territorial_claim")]


def load_card_inputs(checkpoint: str | Path) -> dict:
    """Everything the card shows, read from a finished (or staged) checkpoint folder."""
    checkpoint = Path(checkpoint)
    missing = [str(checkpoint / name) for name in ("config.json", METRICS) if not (checkpoint / name).is_file()]
    config = read_config(checkpoint) if checkpoint.is_dir() else None
    if config is None:
        missing.append(f"{checkpoint / RUN_INFO} (or {OLD_CONFIG})")
    if missing:
        raise FileNotFoundError(f"{checkpoint}: not a finished checkpoint, missing {', '.join(missing)}")
    metrics = read_metrics(checkpoint)
    inputs = {"model_config": json.loads((checkpoint / "config.json").read_text(encoding="utf-8")), "config": config, "metrics": metrics}
    groups = [g for groups in metrics["model"].get("by_field", {}).values() for g in groups.values()]
    if any("macro_f1_present" not in g for g in groups):
        raise ValueError(
            f"{checkpoint / METRICS} was written by an older version of the report; evaluate the checkpoint "
            f"again with `python -m train.evaluate --model {checkpoint} --data <test file> --out <folder>`"
        )
    # older checkpoints may lack the first two (the card then says "not recorded"); fast_mode.json
    # exists once scripts/compare_fast.py --record has measured the fast CPU mode
    for name in ("train_log", "run_info", "fast_mode"):
        path = checkpoint / f"{name}.json"
        inputs[name] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    return inputs


def precision_used(inputs: dict) -> str:
    """What ran, as recorded in run_info.json ("bf16, TF32 on (auto: NVIDIA H100 supports bf16)"),
    else the configured value."""
    chosen = (inputs.get("run_info") or {}).get("precision")
    if not chosen:
        return str(inputs["config"]["train"]["precision"])
    return f"{chosen['precision']}, TF32 {'on' if chosen['tf32'] else 'off'} ({chosen['why']})"


def training_arguments_used(inputs: dict) -> dict:
    """The TrainingArguments the run set, as recorded in run_info.json; a checkpoint from before
    that record shows its config's train: keys that are not this project's own options."""
    recorded = (inputs.get("run_info") or {}).get("training_arguments")
    if recorded is not None:
        return recorded
    return {k: v for k, v in inputs["config"]["train"].items() if k not in PROJECT_KEYS}


def training_time(inputs: dict) -> str:
    """The Trainer's own measured train_runtime, as "7 min 20 s on cpu" (never typed by hand)."""
    runtime = next((e["train_runtime"] for e in reversed(inputs.get("train_log") or []) if "train_runtime" in e), None)
    if runtime is None:
        return "not recorded"
    launch = (inputs.get("run_info") or {}).get("launch", {})
    where = f" on {launch['device']}" if launch.get("device") else ""
    if launch.get("world_size", 1) > 1:
        where += f" × {launch['world_size']} processes"
    minutes, seconds = divmod(round(runtime), 60)
    return f"{minutes} min {seconds} s{where}" if minutes else f"{seconds} s{where}"


def card_metadata(inputs: dict) -> dict:
    """The Hub's YAML block: language, license, task, base model, dataset, model-index."""
    cfg, ev = inputs["config"], inputs["metrics"]
    backbone = cfg["model"]["model_name_or_path"]
    model = ev["model"]
    meta = {
        "language": ["id"],
        "license": "apache-2.0",
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "tags": ["indonesian", "security", "news", "text-classification", "temperature-scaling"],
    }
    if is_bundled(backbone):  # a dequantized copy of a Hub model: link to the original
        meta["base_model"] = E5["hub_id"]
    elif is_hub_id(backbone):  # a local folder is not a Hub model to link to
        meta["base_model"] = backbone
    meta.update({
        "datasets": [DATASET_ID],
        "metrics": ["accuracy", "f1"],
        "widget": [{"text": t} for t in WIDGET_EXAMPLES],
        "model-index": [{
            "name": cfg["train"]["run_name"],
            "results": [{
                "task": {"type": "text-classification", "name": "Text Classification"},
                "dataset": {"type": DATASET_ID, "name": "indosec labelled sentences (local, not on the Hub)", "split": "test"},
                "metrics": [
                    {"type": "accuracy", "value": round(model["accuracy"], 4), "name": "Accuracy"},
                    {"type": "f1", "value": round(model["macro_f1"], 4), "name": "Macro F1", "args": {"average": "macro"}},
                    {"type": "f1", "value": round(model["weighted_f1"], 4), "name": "Weighted F1", "args": {"average": "weighted"}},
                ],
            }],
        }],
    })
    return meta


PRODUCT_BACKBONE = re.compile(r"^(indobenchmark|indolem)/indobert", re.IGNORECASE)


def stand_in_notice(backbone: str) -> str | None:
    """What the card must say when the checkpoint is not fine-tuned from the product's backbone
    (IndoBERT by Hub id), which the card's metadata and intended use promise; None when it is."""
    if PRODUCT_BACKBONE.match(backbone) and is_hub_id(backbone):
        return None
    if is_bundled(backbone):
        what = f"`{backbone}`, a small multilingual stand-in that trains on a laptop CPU without Hub access"
    elif is_hub_id(backbone):
        what = f"`{backbone}`, not IndoBERT"
    else:
        what = (f"the local folder `{backbone}`; this card cannot say which pretrained model that was "
                "(a local copy of IndoBERT, a test model, anything), so it names no `base_model`")
    return f"This checkpoint was fine-tuned from {what}."


def is_hub_id(name: str) -> bool:
    return bool(re.fullmatch(r"[\w.-]+/[\w.-]+", name)) and not Path(name).exists()


def render_card(
    checkpoint: str | Path, *, report_link: str = "report", reference_config: str | None = None, shared_below_baseline: bool = False
) -> str:
    """The model card of `checkpoint`. `report_link` is where the card's readers find the
    report's figures; `reference_config` marks the card as the repository's reference run;
    `shared_below_baseline` records that it was uploaded although it scores below its baseline."""
    inputs = load_card_inputs(checkpoint)
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")), undefined=StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["num"] = lambda x, digits=3: "n/a" if x is None else f"{x:.{digits}f}"
    env.filters["ci"] = lambda pair: "n/a" if pair[0] is None else f"[{pair[0]:.3f}, {pair[1]:.3f}]"
    ev = inputs["metrics"]
    labels = ev["labels"]
    counts = ev["run"]["data_counts"]
    return env.get_template(TEMPLATE).render(
        metadata=yaml.safe_dump(card_metadata(inputs), sort_keys=False, allow_unicode=True, width=1000).strip(),
        cfg=inputs["config"], training=ev.get("training") or {}, ev=ev, model=ev["model"], baseline=ev.get("baseline"),
        cal=ev["calibration"], run=ev["run"], labels=labels,
        label_table=definition_table(labels),
        counts=counts, splits=list(counts), totals={s: sum(c.values()) for s, c in counts.items()},
        temperature=float(inputs["model_config"].get("calibration_temperature") or 1.0),
        backbone=inputs["config"]["model"]["model_name_or_path"], dataset_id=DATASET_ID,
        stand_in=stand_in_notice(inputs["config"]["model"]["model_name_or_path"]), below_baseline=below_baseline(ev),
        shared_below_baseline=shared_below_baseline,
        backbone_text=describe(inputs["config"]["model"]["model_name_or_path"]),
        report_link=report_link.rstrip("/"), reference_config=reference_config, indobert_config=INDOBERT_CONFIG,
        example=WIDGET_EXAMPLES[0], training_time=training_time(inputs), precision_used=precision_used(inputs),
        length_policy=length_policy(checkpoint, inputs["model_config"]),
        training_arguments=training_arguments_used(inputs), fast_mode=inputs["fast_mode"],
    )


def length_policy(checkpoint: str | Path, model_config: dict) -> str:
    """The card's sentence on long input, for the token limit `indosec` will apply to this
    checkpoint (read from its tokenizer_config.json and config.json the way the Classifier does)."""
    tokenizer_config = Path(checkpoint) / "tokenizer_config.json"
    saved = json.loads(tokenizer_config.read_text(encoding="utf-8")).get("model_max_length") if tokenizer_config.is_file() else None
    return policy_sentence(token_limit(saved, model_config.get("max_position_embeddings")))


def below_baseline(evaluation: dict) -> bool:
    """True when the checkpoint's test macro-F1 is below its own TF-IDF baseline's."""
    baseline = evaluation.get("baseline")
    return bool(baseline) and evaluation["model"]["macro_f1"] < baseline["macro_f1"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.card", description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, help="default: CHECKPOINT/README.md")
    parser.add_argument("--report-link", default="report", help="path from the card to the report's files")
    parser.add_argument("--reference-config", help="render as the reference run trained with this config")
    args = parser.parse_args(argv)
    try:
        card = render_card(args.checkpoint, report_link=args.report_link, reference_config=args.reference_config)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = args.out or args.checkpoint / "README.md"
    write_text_atomic(out, card)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
