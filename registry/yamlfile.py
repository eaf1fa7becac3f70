"""Bytes -> a plain document with the line and column of every node, under strict YAML rules.

Hand-edited YAML has traps that PyYAML lets through: duplicate keys keep the last value, ``no``
becomes ``False``, ``3.10`` becomes ``3.1``, anchors can expand into billions of nodes, and deep
nesting crashes the C loader. So the tree is built here, in one iterative pass over the pure-Python
event stream, with hard limits checked before anything walks the tree:

- one document at most; nesting at most ``MAX_DEPTH``; no explicit tags, anchors, aliases or merge
  keys; mapping keys are plain strings and unique (a duplicate names both lines);
- NaN and infinity are rejected; a scalar that YAML typed implicitly (bool, int, float, null, date)
  is remembered with the text as written, so the schema check can say "quote it".

Nothing else in the package parses YAML.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from types import MappingProxyType

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping, NoReturn


from .errors import ConfigError
from .issues import Issue
from .values import EMPTY_MAPPING, Frozen

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "Document", "JsonPath", "parse_yaml", "read_yaml_file"]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000  # 10,000 providers need ~50k; libyaml reads 200k nodes in well under a second

JsonPath = tuple[str | int, ...]

# Fields whose values may be API keys: text found there is never quoted in a message.
_SECRET_FIELDS = frozenset({"api_key", "api_key_env", "headers"})


class Document(Frozen):
    """A parsed YAML document: plain data plus where each node was written.

    ``positions`` maps a JSON path to the 1-based (line, column) of the value there;
    ``key_positions`` maps the path of a mapping entry to where its key was written;
    ``implicit`` maps the path of an unquoted scalar that YAML typed as something other than a
    string to the text as written (``no``, ``3.10``), for "quote it" hints.
    ``spans`` maps the path of a one-line string to ``(start, end, quote)``: its value is
    ``text[start:end]`` of the decoded file, with ``''`` read as ``'`` when ``quote`` is ``'``.
    The validation cache uses them to keep keys out of its entries (see ``string_at``).
    ``data`` is None for an empty file.
    """

    __slots__ = ("path", "data", "positions", "key_positions", "implicit", "spans")
    path: str
    data: Any
    positions: Mapping[JsonPath, tuple[int, int]]
    key_positions: Mapping[JsonPath, tuple[int, int]]
    implicit: Mapping[JsonPath, str]
    spans: Mapping[JsonPath, tuple[int, int, str]]
    _defaults = {"spans": EMPTY_MAPPING}
    _hidden = frozenset({"spans"})
    _uncompared = frozenset({"spans"})  # where strings lie, not what the document says

    def position(self, path: JsonPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """The closest known (line, column) for ``path``, walking up to its parents if needed."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]


def string_at(text: str, span: tuple[int, int, str]) -> str:
    """The string value a ``Document.spans`` entry points at in the decoded file ``text``."""
    start, end, quote = span
    raw = text[start:end]
    return raw.replace("''", "'") if quote == "'" else raw


def format_pointer(path: JsonPath) -> str:
    """``('providers', 'ollama', 'efforts', 0)`` -> ``$.providers.ollama.efforts[0]``."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.replace("_", "").replace("-", "").isalnum() and part[:1].isalpha():
            text += f".{part}"
        else:
            text += "[" + _quote(part) + "]"
    return text


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def read_yaml_file(path: Path | str, *, display_path: str | None = None) -> Document:
    """Read and parse one YAML file, refusing anything that is not a regular file of sane size."""
    shown = display_path or str(path)
    data = read_file_bytes(path, shown)
    return parse_yaml(data, shown)


def read_file_bytes(path: Path | str, shown: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; ConfigError otherwise."""
    try:
        # O_NONBLOCK: opening a FIFO must not block waiting for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(Issue("file not found", path=shown, hint="check the path, or run 'registry init' to create a starter file")) from None
    except IsADirectoryError:
        raise _not_regular(shown, "a directory") from None
    except PermissionError:
        raise ConfigError(Issue("permission denied: the file cannot be read", path=shown, hint="make the file readable by this user (chmod 600)")) from None
    except OSError as exc:
        raise ConfigError(Issue(f"cannot open the file: {exc.strerror}", path=shown)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _not_regular(shown, "a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(shown, "a FIFO, socket or device")
        if info.st_size > MAX_BYTES:
            raise _too_big(shown)
        chunks = []
        remaining = MAX_BYTES + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > MAX_BYTES:
            raise _too_big(shown)
        return data
    except OSError as exc:
        raise ConfigError(Issue(f"cannot read the file: {exc.strerror}", path=shown)) from None
    finally:
        os.close(fd)


def _not_regular(shown: str, what: str) -> ConfigError:
    return ConfigError(Issue(f"expected a YAML file, found {what}", path=shown, hint="point the setting at a providers.yaml file"))


def _too_big(shown: str) -> ConfigError:
    return ConfigError(Issue(f"file is larger than {MAX_BYTES} bytes", path=shown, hint="a providers file is a few kilobytes; check that this is the right file"))


def decode_text(data: bytes, shown: str) -> str:
    """Strict UTF-8 (a BOM is allowed); a bad byte is reported with its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(Issue("the file is UTF-16 or UTF-32 (it starts with a byte-order mark), not UTF-8",
                                path=shown, line=1, column=1, hint="save the file as UTF-8"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ConfigError(Issue(
            f"invalid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
            path=shown, line=line, column=column,
            hint="save the file as UTF-8",
        )) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line, column = _offset_to_position(text, offset)
        raise ConfigError(Issue("NUL character in file", path=shown, line=line, column=column,
                                hint="the file looks binary or UTF-16; save it as UTF-8 text"))
    return text


def _offset_to_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def parse_yaml(source: bytes | str, shown: str = "<string>") -> Document:
    """Parse YAML text into a Document, or raise ConfigError with the first problem located."""
    text = decode_text(source, shown) if isinstance(source, bytes) else source
    if len(text) > MAX_BYTES:
        raise _too_big(shown)
    import yaml  # deferred: the cached fast path never parses YAML

    # libyaml's *event* parser is 20x faster than the pure one and iterative; the tree is built
    # here with the depth limit checked per event, so libyaml's recursive composer, which crashes
    # on deep nesting, is never reached.
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _build(yaml, text, shown, fast)
        except yaml.YAMLError:
            # libyaml's syntax messages are terse ("found character that cannot start any
            # token") and it reads ahead, so the bad text is read again by the pure parser,
            # whose message and position are the ones reported.
            pass
    try:
        return _build(yaml, text, shown, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(_syntax_issue(yaml, exc, text, shown)) from None
    except RecursionError:
        raise ConfigError(Issue("YAML nesting is too deep", path=shown)) from None


def _build(yaml: Any, text: str, shown: str, loader: type) -> Document:
    """One pass over ``loader``'s event stream into a Document; parser errors propagate."""
    builder = _TreeBuilder(shown, text)
    for event in yaml.parse(text, Loader=loader):
        builder.feed(event)
    return builder.document()


def _syntax_issue(yaml: Any, exc: Exception, text: str, shown: str) -> Issue:
    """A located Issue for a PyYAML parser error, never quoting text that may be a key."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("found undefined tag handle"):
            # PyYAML quotes the handle, which may be the start of an unquoted key such as '!k3y!...'.
            problem = "found an undefined tag handle ('!...!')"
        return Issue(
            f"YAML syntax error: {problem}",
            path=shown,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=_syntax_hint(problem),
        )
    if isinstance(exc, yaml.reader.ReaderError):
        # The text is a str, so the position is a character offset; the character itself is
        # named by its code point only (it may sit inside a key).
        line, column = _offset_to_position(text, exc.position)
        return Issue(f"non-printable character U+{exc.character:04X} is not allowed in YAML text",
                     path=shown, line=line, column=column,
                     hint="remove the invisible or control character; write it as an escape in a double-quoted string if you need it")
    return Issue(f"YAML error: {exc}", path=shown)


def _syntax_hint(problem: str) -> str | None:
    if "tag handle" in problem:
        return "explicit YAML tags are not allowed; quote the value if it starts with '!'"
    if "tab" in problem or "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted; or check the indentation of this line"
    if "expected <block end>" in problem:
        return "check the indentation: this line is indented differently from the lines around it"
    if "could not find expected ':'" in problem:
        return "each entry needs 'key: value'; check the indentation"
    if "found character '@'" in problem or "found character '`'" in problem:
        return "quote values that start with '@' or '`'"
    if "unacceptable character" in problem or "special characters are not allowed" in problem:
        return "remove the invisible or control character, or quote the value"
    return None


class _Frame:
    """A mapping or sequence under construction; ``pending_key`` holds a key awaiting its value."""

    __slots__ = ("container", "path", "pending_key", "key_lines")

    def __init__(self, container: dict | list, path: JsonPath) -> None:
        self.container = container
        self.path = path
        self.pending_key: str | None = None
        self.key_lines: dict[str, int] = {}


class _TreeBuilder:
    """Turns PyYAML events into plain data, enforcing the strict rules as it goes."""

    def __init__(self, shown: str, text: str) -> None:
        import yaml

        self._yaml = yaml
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()
        self.shown = shown
        self.text = text
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.key_positions: dict[JsonPath, tuple[int, int]] = {}
        self.implicit: dict[JsonPath, str] = {}
        self.spans: dict[JsonPath, tuple[int, int, str]] = {}

    def document(self) -> Document:
        return Document(
            path=self.shown,
            data=self.root,
            positions=MappingProxyType(self.positions),
            key_positions=MappingProxyType(self.key_positions),
            implicit=MappingProxyType(self.implicit),
            spans=MappingProxyType(self.spans),
        )

    def fail(self, event: Any, message: str, hint: str | None = None, path: JsonPath | None = None) -> NoReturn:
        mark = event.start_mark
        pointer = format_pointer(path) if path is not None else None
        raise ConfigError(Issue(message, path=self.shown, line=mark.line + 1, column=mark.column + 1, pointer=pointer, hint=hint))

    def feed(self, event: Any) -> None:
        ev = self._yaml.events
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(event, "more than one YAML document in the file", "remove the '---' separator and keep a single document")
            return
        if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent)):
            return
        if isinstance(event, ev.AliasEvent):
            self.fail(event, f"YAML aliases are not allowed (found {self._marker('*', event.anchor)})", "write the value out in full; anchors and aliases are refused")
        if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
            self._close()
            return
        # A node: scalar, mapping start or sequence start.
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(event, f"the document has more than {MAX_NODES} nodes", "a providers file is small; check that this is the right file")
        if getattr(event, "anchor", None) is not None:
            self.fail(event, f"YAML anchors are not allowed (found {self._marker('&', event.anchor)})",
                      "remove the anchor; if the value really starts with '&', quote it")
        if isinstance(event, ev.ScalarEvent):
            self._scalar(event)
        else:
            self._start_collection(event)

    def _marker(self, sigil: str, name: str) -> str:
        """The anchor, alias or tag as written, unless it sits where a key belongs: an unquoted
        ``api_key: &k3y...`` is the key itself, which YAML read as an anchor."""
        if self.stack:
            frame = self.stack[-1]
            slot: JsonPath = ()
            if isinstance(frame.container, dict) and frame.pending_key is not None:
                slot = (frame.pending_key,)
            if any(part in _SECRET_FIELDS for part in frame.path + slot):
                return f"'{sigil}...', not shown because this field may hold a key"
        if sigil == "!" or name.startswith(sigil):
            return repr(name)
        return repr(sigil + name)

    def _explicit_tag(self, event: Any) -> bool:
        if event.tag is None or event.tag == "!":
            return False
        implicit = event.implicit
        if isinstance(implicit, tuple):
            return not any(implicit)
        return not implicit

    def _start_collection(self, event: Any) -> None:
        ev = self._yaml.events
        if self._explicit_tag(event):
            self.fail(event, f"explicit YAML tags are not allowed (found {self._marker('!', event.tag)})", "remove the tag")
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event, f"nesting is deeper than {MAX_DEPTH} levels", "a providers file needs only a few levels; check for stray '[' or '{'")
        container: dict | list = {} if isinstance(event, ev.MappingStartEvent) else []
        path = self._attach(event, container)
        self.stack.append(_Frame(container, path))

    def _close(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict) and frame.pending_key is not None:
            raise ConfigError(Issue("mapping key without a value", path=self.shown, pointer=format_pointer(frame.path)))

    def _scalar(self, event: Any) -> None:
        if self._explicit_tag(event):
            self.fail(event, f"explicit YAML tags are not allowed (found {self._marker('!', event.tag)})", "remove the tag; quote the value if you wanted a string")
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.pending_key is None:
            self._key(event, frame)
            return
        value, implicit_text = self._construct(event)
        path = self._attach(event, value)
        if implicit_text is not None:
            self.implicit[path] = implicit_text
        elif isinstance(value, str):
            span = self._span(event, value)
            if span is not None:
                self.spans[path] = span

    def _span(self, event: Any, value: str) -> tuple[int, int, str] | None:
        """Where a one-line string's value lies in the text, checked against the value itself:
        folded, escaped or block scalars (and any surprise in the marks) get no span."""
        start, end = event.start_mark.index, event.end_mark.index
        quote = "'" if event.style == "'" else ""
        if event.style in ("'", '"'):
            start, end = start + 1, end - 1
        elif event.style:  # a block scalar ('|' or '>'); plain is None or '' depending on the parser
            return None
        span = (start, end, quote)
        if 0 <= start <= end <= len(self.text) and string_at(self.text, span) == value \
                and (event.style != '"' or "\\" not in self.text[start:end]):
            return span
        return None

    def _key(self, event: Any, frame: _Frame) -> None:
        tag = self._resolve_tag(event)
        key_path = frame.path + (event.value,)
        if tag == "tag:yaml.org,2002:merge":
            self.fail(event, "YAML merge keys ('<<') are not allowed", "write the keys out in full", frame.path)
        if tag != "tag:yaml.org,2002:str":
            self.fail(event, f"mapping keys must be strings; {event.value!r} is read as {tag.rsplit(':', 1)[-1]}",
                      f"quote the key: '{event.value}'", frame.path)
        line = event.start_mark.line + 1
        if event.value in frame.key_lines:
            first = frame.key_lines[event.value]
            self.fail(event, f"duplicate key {event.value!r} (first defined on line {first}, again on line {line})",
                      "remove one of the two entries", key_path)
        frame.key_lines[event.value] = line
        frame.pending_key = event.value
        self.key_positions[key_path] = (line, event.start_mark.column + 1)

    def _attach(self, event: Any, value: Any) -> JsonPath:
        """Place a new node into its parent (or as the root) and return its path."""
        mark = event.start_mark
        if not self.stack:
            self.root = value
            path: JsonPath = ()
        else:
            frame = self.stack[-1]
            if isinstance(frame.container, dict):
                if frame.pending_key is None:
                    self.fail(event, "mapping keys must be plain strings, not mappings or lists",
                              "check the indentation; a key cannot be a '{...}' or '[...]'", frame.path)
                key = frame.pending_key
                frame.container[key] = value
                frame.pending_key = None
                path = frame.path + (key,)
            else:
                frame.container.append(value)
                path = frame.path + (len(frame.container) - 1,)
        self.positions[path] = (mark.line + 1, mark.column + 1)
        return path

    def _resolve_tag(self, event: Any) -> str:
        if event.tag not in (None, "!"):
            return event.tag
        node_class = self._yaml.nodes.ScalarNode
        return self._resolver.resolve(node_class, event.value, event.implicit)

    def _construct(self, event: Any) -> tuple[Any, str | None]:
        """The Python value of a scalar, and its written text when YAML typed it implicitly."""
        tag = self._resolve_tag(event)
        if tag == "tag:yaml.org,2002:str":
            return event.value, None
        node = self._yaml.nodes.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
        try:
            if tag == "tag:yaml.org,2002:null":
                value: Any = None
            elif tag == "tag:yaml.org,2002:bool":
                value = self._constructor.construct_yaml_bool(node)
            elif tag == "tag:yaml.org,2002:int":
                value = self._constructor.construct_yaml_int(node)
            elif tag == "tag:yaml.org,2002:float":
                value = self._constructor.construct_yaml_float(node)
                if math.isnan(value) or math.isinf(value):
                    self.fail(event, f"{event.value!r} (NaN or infinity) is not allowed", "use a finite number, or quote the text")
            elif tag == "tag:yaml.org,2002:timestamp":
                value = self._constructor.construct_yaml_timestamp(node)
            else:
                value = event.value
        except (ValueError, OverflowError):
            value = event.value
        written = event.value if event.value else ("~" if tag == "tag:yaml.org,2002:null" else "")
        return value, written
