"""Stage 4, publish, beyond the run folder's own rename (train.run_folder): sharing a finished
checkpoint on the Hugging Face Hub, on request (`scripts/push_to_hub.py`).

    hub.py     validate a checkpoint folder, then create the repo and upload it
    space.py   the Gradio Space that runs `indosec app` next to the model
"""
