"""The training package: a run is four stages, run in order by `pipeline.run` (`python -m train`).

    fit.py          1. the Trainer fine-tunes the backbone; model and tokenizer into the run folder
    evaluate/       2. the only producer of metrics.json (`python -m train.evaluate` on any checkpoint)
    render/         3. report.md, plots and the model card, from metrics.json alone
    run_folder.py   4. the run folder, and the one rename that publishes it; publish/: the Hub

and what they use: config.py (the options), data/ (the labelled data), backbones/ (what fit
starts from), scores/ (every figure), preflight.py, run_plan.py and provenance.py (around the
Trainer). docs/architecture.md draws the whole house and says what may import what.
"""
