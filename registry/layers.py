"""Read one file layer: bytes -> strict YAML document -> schema-checked layer, with origins.

A layer never raises for content problems: it returns the issues it found, so ``registry
validate`` can report every problem in every file at once.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError
from .issues import Issue
from .model import Origin
from .values import Frozen
from .yamlfile import Document, JsonPath, parse_yaml, read_file_bytes

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any

    from .cache import ValidationCache

__all__ = ["FileLayer", "read_file_layer"]


class FileLayer(Frozen):
    """One file layer. ``document`` is None when the file is absent or unreadable."""

    __slots__ = ("layer", "path", "exists", "document", "issues")
    layer: str
    path: str
    exists: bool
    document: Document | None
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return self.document is not None and not any(i.severity == "error" for i in self.issues)

    @property
    def data(self) -> dict[str, Any]:
        data = self.document.data if self.document is not None else None
        return data if isinstance(data, dict) else {}

    def origin(self, path: JsonPath, *, key: bool = False) -> Origin:
        line, column = self.document.position(path, key=key) if self.document is not None else (None, None)
        return Origin(self.layer, self.path, line, column)


def read_file_layer(layer: str, path: Path, *, required: bool, schema_check: bool = True,
                    cache: ValidationCache | None = None) -> FileLayer:
    """Read and check ``path`` as ``layer``. A missing optional file is an empty, valid layer.

    With a ``cache``, bytes that already passed the schema check skip it (and YAML parsing when
    the entry holds the document); bytes that pass with no issue are remembered.
    """
    shown = str(path)
    if not required and not path.exists() and not path.is_symlink():
        return FileLayer(layer, shown, False, None, ())
    verdict = None
    try:
        data = read_file_bytes(path, shown)
        if cache is not None and schema_check:
            verdict = cache.recall(data, shown)
        document = verdict.document if verdict is not None and verdict.document is not None else parse_yaml(data, shown)
    except ConfigError as exc:
        return FileLayer(layer, shown, path.exists(), None, exc.issues)
    issues: tuple[Issue, ...] = ()
    if schema_check and verdict is None:
        from .schema import check_document  # deferred: pulls in jsonschema

        issues = tuple(check_document(document))
        if cache is not None and not issues:
            cache.remember(data, document)
    return FileLayer(layer, shown, True, document, issues)
