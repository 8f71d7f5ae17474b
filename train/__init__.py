"""Training package: `python -m train CONFIG.yaml [section.key=value ...]`."""
