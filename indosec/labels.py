"""The product's label set: names, one-line definitions and example sentences, kept here once.

Training reads LABELS as the default label list; a checkpoint's config.json (id2label) is the
authority at inference time. The label table of README.md and of the model card
(`definition_table`), the short definition that opens each label's section in
data/GUIDELINES.md, the card's Hub widget and scripts/demo.py all come from this module;
tests/test_labels.py checks the Markdown files that are not generated. data/GUIDELINES.md keeps
the full annotation rules (what is in and out of each label, precedence, edge cases).
"""

from __future__ import annotations

from collections.abc import Sequence

LABELS: tuple[str, ...] = (
    "security_cooperation",
    "attack",
    "territorial_claim",
    "propaganda",
    "other",
)

DEFINITIONS: dict[str, str] = {
    "security_cooperation": "States, forces, agencies or organisations working together on security: talks and their "
    "outcomes, ceasefire and de-escalation deals, joint patrols and exercises, intelligence sharing, training, extradition, "
    "defence aid between governments.",
    "attack": "A report of a specific use of force in armed conflict, terrorism or political violence: bombings, "
    "shootings, air and drone strikes, clashes, kidnappings, force against vessels, claims of responsibility, casualty "
    "updates. Ordinary crime and cyberattacks are `other`.",
    "territorial_claim": "A party asserts or rejects sovereignty or control over land or sea: claims and counter-claims, "
    "annexations, proclamations over territory, maps and historic rights, boundary settlements.",
    "propaganda": "Text that persuades or mobilises rather than reports, from any side: loaded or dehumanising labels, "
    "glorification of fighters or 'martyrs', calls to violence, recruitment, threats, conspiracy claims and unsupported "
    "accusations stated as fact. Takes precedence over the other labels.",
    "other": "Everything else: background, bylines and page furniture, humanitarian and general news, trials and "
    "arrests without violence, and look-alikes ('serangan balik' in football, 'klaim asuransi').",
}

# One or two clear cases of each label, for the card's Hub widget and scripts/demo.py.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "security_cooperation": (
        "Indonesia dan Australia sepakat memperkuat pertukaran informasi intelijen untuk menangkal terorisme.",
        "Menteri Pertahanan Indonesia dan Australia sepakat memperluas patroli bersama di Laut Arafura.",
    ),
    "attack": (
        "Sebuah bom mobil meledak di dekat pos pemeriksaan di Idlib, menewaskan sedikitnya tujuh orang.",
        "Dua anggota TNI tewas setelah kelompok bersenjata menyerang pos mereka di Kabupaten Intan Jaya, Papua.",
    ),
    "territorial_claim": (
        "Beijing kembali menegaskan bahwa perairan di sekitar Kepulauan Natuna merupakan wilayah penangkapan ikan tradisionalnya.",
        "Moskow menegaskan Krimea adalah bagian tak terpisahkan dari Federasi Rusia sejak referendum 2014.",
    ),
    "propaganda": (
        "Wahai para pemuda, tinggalkan negeri thaghut dan bergabunglah dengan kafilah para mujahidin!",
    ),
    "other": (
        "Densus 88 menangkap seorang terduga anggota JAD di Bekasi tanpa perlawanan, Sabtu pagi.",
    ),
}


def definition_table(labels: Sequence[str] = LABELS) -> str:
    """The Markdown label table of README.md and the model card (no trailing newline). A label
    of a custom label list that has no definition here says so instead of failing."""
    rows = [f"| `{label}` | {DEFINITIONS.get(label, '(no definition recorded)')} |" for label in labels]
    return "\n".join(["| label | definition |", "|---|---|", *rows])


def label_names(id2label: dict) -> list[str]:
    """A checkpoint's label names in id order, from config.json's `id2label` (keys may be the
    integers transformers gives or the strings JSON keeps)."""
    return [id2label[k] for k in sorted(id2label, key=int)]
