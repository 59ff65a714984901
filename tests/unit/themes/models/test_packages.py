"""Where a model's weights come from: the mpnet model's five pieces are joined where pip put them and
checked against the published zip's SHA-256 before a byte of it is read; a piece missing or changed
means no model (the bot says so, or falls back), never a model half read."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import bot.themes.models as models
from bot.themes.embeddings import EmbedderUnavailable
from bot.themes.models import JoinedFile, read_safetensors


def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    header, body, at = {}, b"", 0
    for name, array in tensors.items():
        raw = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [at, at + len(raw)]}
        body, at = body + raw, at + len(raw)
    encoded = json.dumps(header).encode()
    return len(encoded).to_bytes(8, "little") + encoded + body


def test_safetensors_are_read_as_they_were_written() -> None:
    tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1.5], dtype=np.float32)}
    read = read_safetensors(safetensors_bytes(tensors))
    assert set(read) == {"a", "b"}
    np.testing.assert_array_equal(read["a"], tensors["a"])
    np.testing.assert_array_equal(read["b"], tensors["b"])


def test_pieces_read_as_one_file_seek_and_cross_their_edges(tmp_path: Path) -> None:
    whole = bytes(range(256)) * 40
    cuts = [0, 1000, 1001, 5000, len(whole)]
    paths = []
    for i in range(len(cuts) - 1):
        paths.append(tmp_path / f"piece.{i}")
        paths[-1].write_bytes(whole[cuts[i] : cuts[i + 1]])
    with JoinedFile(paths) as joined:
        assert joined.read() == whole
        joined.seek(995)
        assert joined.read(10) == whole[995:1005]  # across two edges, one of a one-byte piece
        joined.seek(-3, io.SEEK_END)
        assert joined.read() == whole[-3:]


class PieceFile:
    """A file of an installed distribution, as importlib.metadata lists it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def locate(self) -> Path:
        return self.path

    def __str__(self) -> str:
        return str(self.path)


def install_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zipped: bytes, sha: str) -> None:
    """Five pieces of `zipped` as five installed distributions, as the mpnet parts are."""
    size = -(-len(zipped) // 5)
    pieces = {}
    for number, name in enumerate(models.MPNET_PARTS, start=1):
        path = tmp_path / f"part{number}" / f"all-mpnet-base-v2.zip.{number:03d}"
        path.parent.mkdir()
        path.write_bytes(zipped[(number - 1) * size : number * size])
        pieces[name] = path

    def distribution(name: str) -> SimpleNamespace:
        if name not in pieces:
            raise models.metadata.PackageNotFoundError(name)
        return SimpleNamespace(files=[PieceFile(pieces[name])])

    monkeypatch.setattr(models.metadata, "distribution", distribution)
    monkeypatch.setattr(models, "MPNET_ZIP_SHA256", sha)


def model_zip(weights: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("all-mpnet-base-v2/model.safetensors", weights)
        archive.writestr("all-mpnet-base-v2/tokenizer.json", '{"model": "tokens"}')
    return buffer.getvalue()


def test_the_pieces_make_the_model_when_the_whole_is_the_published_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = safetensors_bytes({"w": np.ones((300, 40), dtype=np.float32)})
    zipped = model_zip(weights)
    install_pieces(tmp_path, monkeypatch, zipped, hashlib.sha256(zipped).hexdigest())
    got, tokenizer = models.MODELS["mpnet"].files()
    assert bytes(got) == weights and tokenizer == '{"model": "tokens"}'


def test_a_changed_piece_is_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zipped = model_zip(safetensors_bytes({"w": np.ones((300, 40), dtype=np.float32)}))
    published = hashlib.sha256(zipped).hexdigest()
    tampered = bytearray(zipped)
    tampered[len(zipped) // 2] ^= 0xFF
    install_pieces(tmp_path, monkeypatch, bytes(tampered), published)
    with pytest.raises(EmbedderUnavailable, match="SHA-256"):
        models.MODELS["mpnet"].files()


def test_a_missing_piece_is_no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zipped = model_zip(b"weights")
    install_pieces(tmp_path, monkeypatch, zipped, hashlib.sha256(zipped).hexdigest())
    real = models.metadata.distribution

    def without_third(name: str) -> object:
        if name == models.MPNET_PARTS[2]:
            raise models.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(models.metadata, "distribution", without_third)
    with pytest.raises(EmbedderUnavailable, match="part-003 is not installed"):
        models.MODELS["mpnet"].files()
