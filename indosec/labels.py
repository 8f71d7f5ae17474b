"""The product's label set. Training reads it as the default label list; a checkpoint's
config.json (id2label) is the authority at inference time."""

LABELS: tuple[str, ...] = (
    "security_cooperation",
    "attack",
    "territorial_claim",
    "propaganda",
    "other",
)
