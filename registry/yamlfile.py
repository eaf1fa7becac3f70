"""Bytes -> a plain document with the line and column of every node, under strict YAML rules.

Hand-edited YAML has traps that PyYAML lets through: duplicate keys keep the last value, ``no``
becomes ``False``, ``3.10`` becomes ``3.1``, anchors can expand into billions of nodes, and deep
nesting crashes the C loader. So the tree is built here, in one iterative pass over PyYAML's event
stream (libyaml's when it is installed, the pure-Python parser otherwise and for error messages),
with hard limits checked before anything walks the tree:

- one document at most; nesting at most ``MAX_DEPTH``; no explicit tags, anchors, aliases or merge
  keys; mapping keys are plain strings and unique (a duplicate names both lines);
- NaN and infinity are rejected; a scalar that YAML typed implicitly (bool, int, float, null, date)
  is remembered with the text as written, so the schema check can say "quote it".

Every problem is an Issue of kind ``syntax``, with the broken strict rule as its ``rule``. Reading
the file and decoding its bytes is ``fsio``'s job. Nothing else in the package parses YAML.
"""

from __future__ import annotations

import math
from types import MappingProxyType

from .errors import ConfigError
from .fsio import check_size, decode_text
from .issues import Issue, JsonPath, format_pointer
from .secrets import is_secret_path
from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping, NoReturn

__all__ = ["MAX_DEPTH", "MAX_NODES", "Document", "parse_yaml"]

MAX_DEPTH = 64
MAX_NODES = 200_000  # 10,000 providers need ~50k; libyaml reads 200k nodes in well under a second


class Document(Frozen):
    """A parsed YAML document: plain data plus where each node was written.

    ``positions`` maps a JSON path to the 1-based (line, column) of the value there;
    ``key_positions`` maps the path of a mapping entry to where its key was written;
    ``implicit`` maps the path of an unquoted scalar that YAML typed as something other than a
    string to the text as written (``no``, ``3.10``), for "quote it" hints.
    ``data`` is None for an empty file.
    """

    __slots__ = ("path", "data", "positions", "key_positions", "implicit")
    path: str
    data: Any
    positions: Mapping[JsonPath, tuple[int, int]]
    key_positions: Mapping[JsonPath, tuple[int, int]]
    implicit: Mapping[JsonPath, str]

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


def _offset_to_position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def parse_yaml(source: bytes | str, shown: str = "<string>") -> Document:
    """Parse YAML text into a Document, or raise ConfigError with the first problem located."""
    text = decode_text(source, shown) if isinstance(source, bytes) else source
    check_size(len(text), shown)  # a str source was not read through fsio
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
        raise ConfigError(Issue("YAML nesting is too deep", path=shown, kind="syntax", rule="max-depth")) from None


def _build(yaml: Any, text: str, shown: str, loader: type) -> Document:
    """One pass over ``loader``'s event stream into a Document; parser errors propagate."""
    builder = _TreeBuilder(shown)
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
            kind="syntax",
        )
    if isinstance(exc, yaml.reader.ReaderError):
        # The text is a str, so the position is a character offset; the character itself is
        # named by its code point only (it may sit inside a key).
        line, column = _offset_to_position(text, exc.position)
        return Issue(f"non-printable character U+{exc.character:04X} is not allowed in YAML text",
                     path=shown, line=line, column=column,
                     hint="remove the invisible or control character; write it as an escape in a double-quoted string if you need it",
                     kind="syntax")
    return Issue(f"YAML error: {exc}", path=shown, kind="syntax")


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

    def __init__(self, shown: str) -> None:
        import yaml

        self._yaml = yaml
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()
        self.shown = shown
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.key_positions: dict[JsonPath, tuple[int, int]] = {}
        self.implicit: dict[JsonPath, str] = {}

    def document(self) -> Document:
        return Document(
            path=self.shown,
            data=self.root,
            positions=MappingProxyType(self.positions),
            key_positions=MappingProxyType(self.key_positions),
            implicit=MappingProxyType(self.implicit),
        )

    def fail(self, event: Any, rule: str, message: str, hint: str | None = None, path: JsonPath | None = None) -> NoReturn:
        """Raise the Issue for ``event``, which broke the strict rule ``rule``."""
        mark = event.start_mark
        pointer = format_pointer(path) if path is not None else None
        raise ConfigError(Issue(message, path=self.shown, line=mark.line + 1, column=mark.column + 1, pointer=pointer,
                                hint=hint, kind="syntax", rule=rule))

    def feed(self, event: Any) -> None:
        ev = self._yaml.events
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(event, "one-document", "more than one YAML document in the file", "remove the '---' separator and keep a single document")
            return
        if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent)):
            return
        if isinstance(event, ev.AliasEvent):
            self.fail(event, "no-aliases", f"YAML aliases are not allowed (found {self._marker('*', event.anchor)})", "write the value out in full; anchors and aliases are refused")
        if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
            self._close()
            return
        # A node: scalar, mapping start or sequence start.
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(event, "max-nodes", f"the document has more than {MAX_NODES} nodes", "a providers file is small; check that this is the right file")
        if getattr(event, "anchor", None) is not None:
            self.fail(event, "no-anchors", f"YAML anchors are not allowed (found {self._marker('&', event.anchor)})",
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
            if is_secret_path(frame.path + slot):
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
            self.fail(event, "no-tags", f"explicit YAML tags are not allowed (found {self._marker('!', event.tag)})", "remove the tag")
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event, "max-depth", f"nesting is deeper than {MAX_DEPTH} levels", "a providers file needs only a few levels; check for stray '[' or '{'")
        container: dict | list = {} if isinstance(event, ev.MappingStartEvent) else []
        path = self._attach(event, container)
        self.stack.append(_Frame(container, path))

    def _close(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict) and frame.pending_key is not None:
            raise ConfigError(Issue("mapping key without a value", path=self.shown, pointer=format_pointer(frame.path),
                                    kind="syntax"))

    def _scalar(self, event: Any) -> None:
        if self._explicit_tag(event):
            self.fail(event, "no-tags", f"explicit YAML tags are not allowed (found {self._marker('!', event.tag)})", "remove the tag; quote the value if you wanted a string")
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.pending_key is None:
            self._key(event, frame)
            return
        value, implicit_text = self._construct(event)
        path = self._attach(event, value)
        if implicit_text is not None:
            self.implicit[path] = implicit_text

    def _key(self, event: Any, frame: _Frame) -> None:
        tag = self._resolve_tag(event)
        key_path = frame.path + (event.value,)
        if tag == "tag:yaml.org,2002:merge":
            self.fail(event, "no-merge-keys", "YAML merge keys ('<<') are not allowed", "write the keys out in full", frame.path)
        if tag != "tag:yaml.org,2002:str":
            self.fail(event, "string-keys", f"mapping keys must be strings; {event.value!r} is read as {tag.rsplit(':', 1)[-1]}",
                      f"quote the key: '{event.value}'", frame.path)
        line = event.start_mark.line + 1
        if event.value in frame.key_lines:
            first = frame.key_lines[event.value]
            self.fail(event, "unique-keys", f"duplicate key {event.value!r} (first defined on line {first}, again on line {line})",
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
                    self.fail(event, "string-keys", "mapping keys must be plain strings, not mappings or lists",
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
                    self.fail(event, "finite-numbers", f"{event.value!r} (NaN or infinity) is not allowed", "use a finite number, or quote the text")
            elif tag == "tag:yaml.org,2002:timestamp":
                value = self._constructor.construct_yaml_timestamp(node)
            else:
                value = event.value
        except (ValueError, OverflowError):
            value = event.value
        written = event.value if event.value else ("~" if tag == "tag:yaml.org,2002:null" else "")
        return value, written
