"""The editor's schema comment: ``# yaml-language-server: $schema=REF`` in a providers file.

yaml-language-server (VS Code's YAML extension and others) reads the schema from the first
comment line of that form; a relative REF is taken relative to the file. ``check_schema_comment``
warns when a local REF names no file, or a file whose JSON differs from the installed schema:
completion then silently stops, or offers the fields of another release. Remote REFs (any
``scheme:`` but ``file:``) are never fetched. Only ``registry validate`` looks: ``load`` does not.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from urllib.parse import unquote, urlsplit

from .errors import ConfigError
from .fsio import NOTHING_THERE_RULES, read_regular_file, shown_path
from .issues import Issue
from .schema import SCHEMA_FILE_NAME, load_schema
from .text import quoted

__all__ = ["RULE", "check_schema_comment", "find_schema_comment"]

RULE = "schema-comment"  # Issue.rule of these warnings

# yaml-language-server's own test (isModeline): '#', whitespace, the name, optional space, ':'.
_MODELINE = re.compile(r"^([ \t]*#\s+yaml-language-server\s*:.*?)\$schema=(\S+)", re.MULTILINE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: 'C:\...' is a path


def find_schema_comment(text: str) -> tuple[str, int, int] | None:
    """``(REF, line, column)`` of the first schema comment in ``text`` (1-based, at REF), or None."""
    found = _MODELINE.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return found.group(2), line, len(found.group(1)) + len("$schema=") + 1


def _local_path(ref: str, directory: str) -> str | None:
    """The file ``ref`` names, as yaml-language-server resolves it; None for a remote ref."""
    ref = ref.split("#", 1)[0]
    if ref.lower().startswith("file:"):
        return unquote(urlsplit(ref).path) or None
    if _SCHEME.match(ref) or not ref:
        return None
    return os.path.normpath(os.path.join(directory, ref))


def check_schema_comment(data: bytes, path: str) -> Issue | None:
    """The warning for the schema comment in ``data`` (the bytes of the file at ``path``, as the
    ``os`` functions take it), or None when there is none, it is remote, or it names the schema."""
    text = data.decode("utf-8", errors="replace")
    found = find_schema_comment(text)
    if found is None:
        return None
    ref, line, column = found
    here = os.path.dirname(path) or "."
    target = _local_path(ref, here)
    if target is None:
        return None
    try:
        content = read_regular_file(target)
    except ConfigError as exc:
        rule = exc.first.rule
        problem = ("does not exist" if rule in NOTHING_THERE_RULES else "is not a regular file" if rule == "regular-file"
                   else f"cannot be read: {exc.first.message}")
        message = f"the editor's schema comment names {quoted(ref)}, which {problem}"
    else:
        try:
            same = json.loads(content) == load_schema()
        except ValueError:  # not JSON, or not UTF-8
            same = False
        if same:
            return None
        message = f"the schema the editor's comment names ({quoted(ref)}) differs from the installed schema"
    directory = os.path.dirname(target) or "."
    beside = not os.path.isabs(ref.split("#", 1)[0]) and not _SCHEME.match(ref) \
        and os.path.basename(target) == SCHEMA_FILE_NAME and os.path.isdir(directory)
    if beside:
        hint = f"run 'registry schema --write {shlex.quote(shown_path(directory))}' to write the installed schema there"
    else:  # a path into a Python environment breaks when it is recreated: keep the copy beside the file
        hint = (f"run 'registry schema --write {shlex.quote(shown_path(here))}' and change the comment to "
                f"'$schema=./{SCHEMA_FILE_NAME}'")
    return Issue(message, path=shown_path(path), line=line, column=column, hint=hint, severity="warning",
                 kind="schema", rule=RULE)
