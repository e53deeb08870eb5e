"""Datasette on an archive, with the metadata shipped in the package (optional extra ``web``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from archive.db import check_archive_path
from archive.errors import UsageError

METADATA_PATH = Path(__file__).parent / "datasette" / "metadata.json"
INSTALL_HINT = "Datasette is not installed: install with pip install -e '.[web]'"


def metadata_for(db_path: str | os.PathLike) -> dict:
    """The shipped metadata, its database section keyed by the name Datasette gives the file."""
    metadata = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    (section,) = metadata["databases"].values()
    metadata["databases"] = {Path(db_path).stem: section}
    return metadata


def make_datasette(db_path: str | os.PathLike):
    """A Datasette instance serving the archive at ``db_path`` read-only."""
    path = check_archive_path(db_path, must_exist=True)
    try:
        from datasette.app import Datasette
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return Datasette(files=[str(path)], metadata=metadata_for(path))


def serve(db_path: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive until interrupted."""
    datasette = make_datasette(db_path)
    import uvicorn  # comes with datasette

    uvicorn.run(datasette.app(), host=host, port=port)
