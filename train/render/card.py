"""The model card of a checkpoint (its README.md), rendered from the files the run wrote into
it: config.json, metrics.json, run_info.json (with the TrainingArguments the run used) and
train_log.json. No number is typed by hand or computed here; re-rendering a finished
checkpoint gives the same card. The Hub metadata, its model-index included, is built with
huggingface_hub's ModelCardData and EvalResult, which check it.

    python -m train.render.card outputs/quickstart              # rewrite outputs/quickstart/README.md
    python -m train.render.card outputs/quickstart --out model_card.md --report-link reports/quickstart \\
        --reference-config configs/quickstart.yaml              # the repository's top-level card (`make card`)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from huggingface_hub import EvalResult, ModelCardData
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from indosec.files import write_text_atomic
from indosec.labels import EXAMPLES, definition_table
from indosec.lengths import policy_sentence, token_limit
from train.backbones.multilingual_e5 import E5, describe, is_bundled
from train.render.contrast import ABOUT, casing_table, contrast_rules_table, contrast_summary
from train.render.tables import calibration_places_text, calibration_summary_text, ci, counts_table, coverage_table, num, overall_table, per_class_table
from train.render.user_data import user_data_section
from train.run_folder import METRICS, RUN_INFO, TRAIN_LOG, read_metrics

TEMPLATE = "model_card.md.j2"
DATASET_ID = "indosec-security-news-sentences"  # not on the Hub; the card says so
INDOBERT_CONFIG = "configs/indobert-base.yaml"
FAST_MODE = "fast_mode.json"
# The Hub's try-it box shows news reports; a propaganda sentence there would put recruitment
# text on the model's page, and `other` shows nothing.
WIDGET_EXAMPLES = [EXAMPLES[label][0] for label in ("security_cooperation", "attack", "territorial_claim")]


def load_card_inputs(checkpoint: str | Path) -> dict:
    """Everything the card shows, read from a finished (or staged) checkpoint folder."""
    checkpoint = Path(checkpoint)
    names = ("config.json", METRICS, RUN_INFO, TRAIN_LOG)
    missing = [str(checkpoint / name) for name in names if not (checkpoint / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{checkpoint}: not a finished checkpoint, missing {', '.join(missing)}")
    read = {name: json.loads((checkpoint / name).read_text(encoding="utf-8")) for name in ("config.json", RUN_INFO, TRAIN_LOG)}
    return {"model_config": read["config.json"], "run_info": read[RUN_INFO], "config": read[RUN_INFO]["config"],
            "train_log": read[TRAIN_LOG], "metrics": read_metrics(checkpoint), "fast_mode": read_fast_mode(checkpoint)}


def read_fast_mode(checkpoint: Path) -> dict | None:
    """fast_mode.json, written by `scripts/compare_fast.py --record` once the fast CPU mode has
    been measured on this checkpoint; None before (the card then leaves the figures out)."""
    path = checkpoint / FAST_MODE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def precision_used(inputs: dict) -> str:
    """What ran, as recorded in run_info.json: "bf16, TF32 on (auto: NVIDIA H100 supports bf16)"."""
    chosen = inputs["run_info"]["precision"]
    return f"{chosen['precision']}, TF32 {'on' if chosen['tf32'] else 'off'} ({chosen['why']})"


def training_time(inputs: dict) -> str:
    """The Trainer's own measured train_runtime, as "7 min 20 s on cpu" (never typed by hand)."""
    runtime = next((e["train_runtime"] for e in reversed(inputs["train_log"]) if "train_runtime" in e), None)
    if runtime is None:
        return "not recorded"
    launch = inputs["run_info"].get("launch", {})
    where = f" on {launch['device']}" if launch.get("device") else ""
    if launch.get("world_size", 1) > 1:
        where += f" × {launch['world_size']} processes"
    minutes, seconds = divmod(round(runtime), 60)
    return f"{minutes} min {seconds} s{where}" if minutes else f"{seconds} s{where}"


def card_metadata(inputs: dict) -> ModelCardData:
    """The Hub's YAML block: language, license, task, base model, dataset, widget, and the
    model-index of the test figures (EvalResult)."""
    cfg, model = inputs["config"], inputs["metrics"]["model"]
    backbone = cfg["model"]["model_name_or_path"]
    if is_bundled(backbone):  # a dequantized copy of a Hub model: link to the original
        base_model = E5["hub_id"]
    else:  # a local folder is not a Hub model to link to
        base_model = backbone if is_hub_id(backbone) else None
    test = {"task_type": "text-classification", "task_name": "Text Classification", "dataset_type": DATASET_ID,
            "dataset_name": "indosec labelled sentences (local, not on the Hub)", "dataset_split": "test"}
    return ModelCardData(
        language=["id"], license="apache-2.0", library_name="transformers", pipeline_tag="text-classification",
        tags=["indonesian", "security", "news", "text-classification", "temperature-scaling"],
        base_model=base_model, datasets=[DATASET_ID], metrics=["accuracy", "f1"],
        widget=[{"text": t} for t in WIDGET_EXAMPLES], model_name=cfg["train"]["run_name"],
        eval_results=[
            EvalResult(**test, metric_type="accuracy", metric_value=round(model["accuracy"], 4), metric_name="Accuracy"),
            EvalResult(**test, metric_type="f1", metric_value=round(model["macro_f1"], 4), metric_name="Macro F1", metric_args={"average": "macro"}),
            EvalResult(**test, metric_type="f1", metric_value=round(model["weighted_f1"], 4), metric_name="Weighted F1", metric_args={"average": "weighted"}),
        ],
    )


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
    env.filters["num"], env.filters["ci"] = num, ci
    env.filters["user_data"] = user_data_section
    ev, cfg = inputs["metrics"], inputs["config"]
    backbone, counts = cfg["model"]["model_name_or_path"], ev["run"]["data_counts"]
    temperature = float(inputs["model_config"].get("calibration_temperature") or 1.0)
    return env.get_template(TEMPLATE).render(
        metadata=yaml.safe_dump(card_metadata(inputs).to_dict(), sort_keys=False, allow_unicode=True, width=1000).strip(),
        cfg=cfg, training=ev["training"], ev=ev, model=ev["model"], baseline=ev.get("baseline"), cal=ev["calibration"],
        run=ev["run"], labels=ev["labels"], label_table=definition_table(ev["labels"]),
        data_table=counts_table(counts, bold_total=True), totals={s: sum(c.values()) for s, c in counts.items()},
        overall_table=overall_table(ev, model_column="this model"), per_class_table=per_class_table(ev),
        temperature=temperature, calibration_text=calibration_summary_text(ev, temperature),
        calibration_places=calibration_places_text(ev),
        coverage_table=coverage_table(ev["calibration"]) if "coverage" in ev["calibration"] else None,
        backbone=backbone, backbone_text=describe(backbone), dataset_id=DATASET_ID, stand_in=stand_in_notice(backbone),
        below_baseline=below_baseline(ev), shared_below_baseline=shared_below_baseline,
        report_link=report_link.rstrip("/"), reference_config=reference_config, indobert_config=INDOBERT_CONFIG,
        example=WIDGET_EXAMPLES[0], training_time=training_time(inputs), precision_used=precision_used(inputs),
        length_policy=length_policy(checkpoint, inputs["model_config"]), training_arguments=inputs["run_info"]["training_arguments"],
        contrast={"about": ABOUT, "summary": contrast_summary(ev["contrast"]), "rules": contrast_rules_table(ev["contrast"])} if "contrast" in ev else None,
        casing=casing_table(ev["casing"]) if "casing" in ev else None,
        fast_mode=inputs["fast_mode"],
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
    parser = argparse.ArgumentParser(prog="python -m train.render.card", description=__doc__.splitlines()[0])
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
