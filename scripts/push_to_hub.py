"""Validate a finished checkpoint and share it on the Hugging Face Hub.

    python scripts/push_to_hub.py outputs/indobert-base --repo-id my-org/indosec-indobert [--private] [--revision BRANCH] [--dry-run]
    python scripts/push_to_hub.py outputs/indobert-base --repo-id my-org/indosec-indobert --space my-org/indosec-app [--dry-run]

--space also writes `<folder>-space/` (app.py, requirements.txt pinned to this release,
README.md with the Space's metadata pointing at the model repo), validates it and uploads it.

A checkpoint whose test macro-F1 is below its own TF-IDF baseline's is refused; with
--allow-below-baseline it is uploaded, and its card is re-rendered to say so.

The token comes from HF_TOKEN or the saved login (`hf auth login`) and is never printed.
--dry-run validates the folder and prints what would be uploaded, without any network call.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from indosec.files import write_text_atomic
from train.publish.hub import HubError, ValidationError, check_repo_id, find_token, is_below_baseline, push, upload_plan, validate_checkpoint
from train.publish.space import check_space_id, gradio_version, validate_space, write_space
from train.render.card import render_card


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/push_to_hub.py", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a finished checkpoint, e.g. outputs/indobert-base")
    parser.add_argument("--repo-id", required=True, help="model repo on the Hub, org/name")
    parser.add_argument("--private", action="store_true", help="create the repo private (an existing repo keeps its visibility)")
    parser.add_argument("--revision", help="branch to upload to (created if missing); default main")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the upload; send nothing")
    parser.add_argument("--space", metavar="ORG/NAME", help="also write, validate and upload a Gradio Space running `indosec app` on this model")
    parser.add_argument("--allow-below-baseline", action="store_true",
                        help="share a checkpoint whose test macro-F1 is below its baseline's (its card then says so)")
    args = parser.parse_args(argv)
    try:
        repo_id = check_repo_id(args.repo_id)
        print(f"Validating {args.folder} ...")
        checked = validate_checkpoint(args.folder, allow_below_baseline=args.allow_below_baseline)
        record = args.allow_below_baseline and is_below_baseline(args.folder)
        print(f"OK: labels {', '.join(checked.labels)}; loads with indosec.load and transformers.pipeline; "
              f"widget examples predicted the same by both:")
        for text, (label, score) in zip(checked.widget, checked.predictions):
            print(f"  {label:<22}{score:.2f}  {text}")
        plan = upload_plan(args.folder)
        token, source = find_token()
        where = f"{repo_id} (model, {'private' if args.private else 'public'} if created), branch {args.revision or 'main'}"
        space = None
        if args.space:
            space_id = check_space_id(args.space)
            space = write_space(args.folder.parent / f"{args.folder.name}-space", repo_id, space_id)
            validate_space(space, repo_id)
            print(f"Space written to {space} and validated: Gradio {gradio_version()}, loads {repo_id}")
        if args.dry_run:
            _print_plan("Dry run: would upload", args.folder, plan, where)
            if space:
                _print_plan("and", space, upload_plan(space), f"{space_id} (Space, Gradio SDK)")
            print(f"Token: {'found (' + source + ')' if token else 'none found: set HF_TOKEN or run `hf auth login` before the real upload'}")
            if record:
                print("README.md would be re-rendered first, to record that it is shared below its baseline.")
            print("Nothing was uploaded.")
            return 0
        if not token:
            raise HubError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (it needs the write role)")
        if record:
            write_text_atomic(args.folder / "README.md", render_card(args.folder, shared_below_baseline=True))
            print("README.md re-rendered: it records that this checkpoint is shared below its baseline.")
        print(f"\nUploading {len(plan)} files ({_size(sum(n for _, n in plan))}) to {where}, token from {source} ...")
        url = push(args.folder, repo_id, token=token, private=args.private, revision=args.revision)
        if space:
            print(f"Uploading the Space {space} to {space_id} ...")
            space_url = push(space, space_id, token=token, private=args.private, repo_type="space")
    except (HubError, ValidationError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"Done: {url}")
    if space:
        print(f"Space: {space_url} (https://huggingface.co/spaces/{space_id})")
    print(f"Load it with: indosec.load({repo_id!r}{f', revision={args.revision!r}' if args.revision else ''})")
    return 0


def _print_plan(lead: str, folder: Path, plan: list[tuple[str, int]], where: str) -> None:
    print(f"\n{lead} {len(plan)} files ({_size(sum(n for _, n in plan))}) from {folder} to {where}:")
    for path, size in plan:
        print(f"  {path:<28}{_size(size):>10}")


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


if __name__ == "__main__":
    sys.exit(main())
