"""Content hashes of input files, recorded with every assessment for provenance."""

from __future__ import annotations

import hashlib
import os

from equityplanner.errors import InputError

__all__ = ["sha256_file"]

_CHUNK_BYTES = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 digest of a file, read in 1 MiB chunks so large files never sit in memory.

    Parameters
    ----------
    path
        The file to hash.

    Returns
    -------
    str
        64 lowercase hexadecimal characters.

    Raises
    ------
    InputError
        When the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = pathlib.Path(folder, "empty.txt")
    ...     _ = file.write_bytes(b"")
    ...     sha256_file(file)[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while block := stream.read(_CHUNK_BYTES):
                digest.update(block)
    except OSError as exc:
        raise InputError(
            f"cannot be read ({exc.strerror or exc})",
            path=os.fspath(path),
            remedy="Check that the file exists and that you may read it",
        ) from exc
    return digest.hexdigest()
