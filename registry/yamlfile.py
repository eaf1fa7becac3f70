"""Bytes -> a plain document with the line and column of every node, under strict YAML rules.

Hand-edited YAML has traps that PyYAML lets through: duplicate keys keep the last value, ``no``
becomes ``False``, ``3.10`` becomes ``3.1``, anchors can expand into billions of nodes, and deep
nesting crashes the C loader. So the tree is built here, in one iterative pass over PyYAML's event
stream (libyaml's when it is installed, the pure-Python parser otherwise and for error messages),
with hard limits checked before anything walks the tree:

- one document at most; nesting at most ``MAX_DEPTH``; no explicit tags, anchors, aliases or merge
  keys; mapping keys are plain strings and unique (a duplicate names both lines);
- NaN and infinity are rejected; a scalar that YAML typed implicitly (bool, int, float, null, date)
  is remembered with the text as written, so the schema check can say "quote it";
- no text holds what is not a character or ends text early: a surrogate (``"\\ud800"``, also a
  pair of ``\\u`` escapes), NUL, a noncharacter, a byte-order mark past the start; no raw NEL,
  LS or PS (YAML counts them as line breaks, editors do not, so every position after would be off).

What libyaml refuses is an error: the pure-Python parser reads the text again only to word the
error better, and its result is never used. Every problem names its node's JSON path as well as
its line and column; text that may be a key (``secrets``) is never quoted.

Every problem is an Issue of kind ``syntax``, with the broken strict rule as its ``rule``. Reading
the file and decoding its bytes is ``fsio``'s job. Nothing else in the package parses YAML.
"""

from __future__ import annotations

import math
import re
from types import MappingProxyType

from .errors import ConfigError
from .fsio import check_size, decode_text
from .issues import Issue, JsonPath, format_pointer
from .secrets import is_secret_key, is_secret_path, is_url_path
from .text import quoted
from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping, NoReturn

__all__ = ["MAX_DEPTH", "MAX_NODES", "Document", "parse_yaml", "yaml12_disagreements"]

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


# Code points no scalar may hold, raw or escaped: surrogates (not characters; no encoder writes a
# lone one), NUL (ends the text in environment variables, headers and C strings), noncharacters,
# and U+FEFF, which past the start of a file means two files were joined.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff"
                       + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17)) + "]")
# Raw characters YAML reads as line breaks that editors do not show as one; and, in a str source,
# raw surrogates (libyaml cannot even encode them).
_RAW_REFUSED = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SHORT_ESCAPES = {"0": 0x00, "_": 0xA0, "N": 0x85, "L": 0x2028, "P": 0x2029}
_LAST_CODE_POINT = 0x10FFFF


def _character_problem(code: int, next_code: int | None = None) -> tuple[str, str]:
    """(message, hint) for a code point that no YAML text here may hold; ``next_code`` is the code
    point written right after it, to spot a surrogate pair written as two escapes."""
    name = f"U+{code:04X}"
    if code > _LAST_CODE_POINT:
        return (f"the escape writes {name}, beyond the last Unicode code point U+10FFFF",
                "check the escape's digits")
    if 0xD800 <= code <= 0xDFFF:
        if 0xD800 <= code <= 0xDBFF and next_code is not None and 0xDC00 <= next_code <= 0xDFFF:
            joined = 0x10000 + ((code - 0xD800) << 10) + (next_code - 0xDC00)
            return (f"the surrogate code point {name} is not allowed in YAML text (a UTF-16 pair written as two escapes)",
                    f"write the character itself, or one escape for it: \\U{joined:08X}")
        return (f"the surrogate code point {name} is not allowed in YAML text",
                "a surrogate is half of a UTF-16 pair, not a character; write the character itself, or its \\U escape")
    if code == 0:
        return ("the NUL character U+0000 is not allowed in YAML text",
                "remove the '\\0' or '\\x00' escape; NUL ends the text in environment variables, headers and C libraries")
    if code == 0xFEFF:
        return ("a byte-order mark (U+FEFF) is not allowed inside YAML text",
                "the file was probably joined from two files; delete the invisible character")
    if code in (0x85, 0x2028, 0x2029):
        return (f"the line break {name} is not allowed in YAML text",
                "YAML counts it as a line break but editors do not; replace it with a normal line break or a space")
    return (f"the noncharacter {name} is not allowed in YAML text", "remove it; a noncharacter is not text")


def _find_code_point(span: str, double_quoted: bool, wanted: re.Pattern[str]) -> tuple[int, int, int | None] | None:
    """(offset in ``span``, code point, next code point) of the first character written in ``span``,
    raw or as an escape, that ``wanted`` matches. Escapes count only in a double-quoted scalar."""
    index = 0
    while index < len(span):
        char = span[index]
        width = 1
        if double_quoted and char == "\\" and (match := _ESCAPE.match(span, index)):
            digits = match.group(1) or match.group(2) or match.group(3)
            code = int(digits, 16) if digits else _SHORT_ESCAPES.get(match.group(4), -1)
            width = match.end() - index
        else:
            code = ord(char)
        if code > _LAST_CODE_POINT or (code >= 0 and wanted.match(chr(code))):
            after = _ESCAPE.match(span, index + width) if double_quoted else None
            following = after.group(2) if after else None
            return index, code, int(following, 16) if following else None
        index += width
    return None


def parse_yaml(source: bytes | str, shown: str = "<string>") -> Document:
    """Parse YAML text into a Document, or raise ConfigError with the first problem located."""
    text = decode_text(source, shown) if isinstance(source, bytes) else source
    check_size(len(text), shown)  # a str source was not read through fsio
    if not text.isascii() and (raw := _RAW_REFUSED.search(text)):
        line, column = _offset_to_position(text, raw.start())
        message, hint = _character_problem(ord(raw.group()))
        raise ConfigError(Issue(message, path=shown, line=line, column=column, hint=hint, kind="syntax", rule="characters"))
    import yaml  # deferred: the cached fast path never parses YAML

    # libyaml's *event* parser is 20x faster than the pure one and iterative; the tree is built
    # here with the depth limit checked per event, so libyaml's recursive composer, which crashes
    # on deep nesting, is never reached.
    fast = getattr(yaml, "CSafeLoader", None)
    document, refused = _build(yaml, text, shown, fast or yaml.SafeLoader)
    if document is not None:
        return document
    assert refused is not None
    if fast is None:
        raise ConfigError(refused)
    # libyaml refused the text. Its syntax messages are terse ("found character that cannot start
    # any token"), so the pure parser reads the text again and its problem is reported instead
    # when it finds one no later in the text; its *result* is never used: what the pure parser
    # accepts beyond libyaml (a surrogate escape, a BOM at the start of a line) stays an error.
    try:
        _, worded = _build(yaml, text, shown, yaml.SafeLoader)
    except ConfigError as exc:
        worded = exc.first
    if worded is not None and _position(worded) <= _position(refused):
        raise ConfigError(worded)
    raise ConfigError(refused)


def _position(issue: Issue) -> tuple[int, int]:
    big = 1 << 62
    return (issue.line if issue.line is not None else big, issue.column if issue.column is not None else big)


def _build(yaml: Any, text: str, shown: str, loader_class: type) -> tuple[Document | None, Issue | None]:
    """One pass over ``loader_class``'s event stream into a Document, or the parser's refusal as a
    located Issue; a strict rule broken on the way raises ConfigError at once."""
    builder = _TreeBuilder(shown, text)
    loader = None
    try:
        loader = loader_class(text)  # the pure reader checks every character here
        while loader.check_event():
            builder.feed(loader.get_event())
        return builder.document(), None
    except yaml.YAMLError as exc:
        return None, _syntax_issue(yaml, exc, text, shown, builder.slot_pointer())
    except ValueError:
        # The pure scanner calls chr() on a "\U" escape's digits before checking their range; the
        # reader then stands on the first digit, just after the escape's backslash and 'U'.
        mark = loader.get_mark() if loader is not None and hasattr(loader, "get_mark") else None
        return None, _escape_issue(text, shown, mark.index if mark else None, builder.slot_pointer())
    except RecursionError:
        return None, Issue("YAML nesting is too deep", path=shown, kind="syntax", rule="max-depth")
    finally:
        if loader is not None:
            loader.dispose()


def _escape_issue(text: str, shown: str, index: int | None, pointer: str | None) -> Issue:
    """The Issue for a "\\u"/"\\U" escape near ``index`` that writes no character (a surrogate or a
    code point past U+10FFFF), located at its backslash."""
    if index is not None:
        start = text.rfind("\\", max(0, index - 2), index + 1)
        found = _find_code_point(text[start:start + 24], True, _NOT_TEXT) if start >= 0 else None
        if found is not None:
            message, hint = _character_problem(found[1], found[2])
            line, column = _offset_to_position(text, start)
            return Issue(message, path=shown, line=line, column=column, pointer=pointer, hint=hint,
                         kind="syntax", rule="characters")
    return Issue("YAML syntax error: an escape writes no valid character", path=shown, pointer=pointer,
                 hint="check the \\u and \\U escapes: surrogates and code points past U+10FFFF are not characters",
                 kind="syntax", rule="characters")


def _syntax_issue(yaml: Any, exc: Exception, text: str, shown: str, pointer: str | None) -> Issue:
    """A located Issue for a PyYAML parser error, never quoting text that may be a key.
    ``pointer`` is the JSON path of the node being read when the parser stopped: named for a bad
    escape or tag, which sits on that node; a grammar error (a missing ']') is not a node's, so it gets none."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("found invalid Unicode character escape code") and mark is not None:
            return _escape_issue(text, shown, mark.index, pointer)  # libyaml: a surrogate or > U+10FFFF
        at_node = problem.startswith("found undefined tag handle")  # a tag, on the node being read
        if at_node:
            # PyYAML quotes the handle, which may be the start of an unquoted key such as '!k3y!...'.
            problem = "found an undefined tag handle ('!...!')"
        return Issue(
            f"YAML syntax error: {problem}",
            path=shown,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            pointer=pointer if at_node else None,
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
                     kind="syntax", rule="characters")
    return Issue("YAML error: the text cannot be parsed", path=shown, kind="syntax")


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

    def document(self) -> Document:
        return Document(
            path=self.shown,
            data=self.root,
            positions=MappingProxyType(self.positions),
            key_positions=MappingProxyType(self.key_positions),
            implicit=MappingProxyType(self.implicit),
        )

    def fail(self, event: Any, rule: str, message: str, hint: str | None = None, path: JsonPath | None = None,
             mark: tuple[int, int] | None = None) -> NoReturn:
        """Raise the Issue for ``event``, which broke the strict rule ``rule``, at the JSON path of
        its node (``path`` when given) and at its start (``mark`` when given)."""
        line, column = mark or (event.start_mark.line + 1, event.start_mark.column + 1)
        pointer = format_pointer(self.slot(event) if path is None else path)
        raise ConfigError(Issue(message, path=self.shown, line=line, column=column, pointer=pointer,
                                hint=hint, kind="syntax", rule=rule))

    def slot(self, event: Any = None) -> JsonPath:
        """The JSON path the next node takes: a value's, a sequence item's, or for a key the path
        of its entry (of its mapping when the key is not a scalar)."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return frame.path + (len(frame.container),)
        if frame.pending_key is not None:
            return frame.path + (frame.pending_key,)
        if event is not None and isinstance(event, self._yaml.events.ScalarEvent):
            return frame.path + (event.value,)
        return frame.path

    def slot_pointer(self) -> str | None:
        """The JSON path where the parser stopped, for its error; None before the first node."""
        return format_pointer(self.slot()) if self.nodes else None

    def feed(self, event: Any) -> None:
        ev = self._yaml.events
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(event, "one-document", "more than one YAML document in the file",
                          "remove the '---' separator and keep a single document", ())
            return
        if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent)):
            return
        if isinstance(event, ev.AliasEvent):
            self.fail(event, "no-aliases", f"YAML aliases are not allowed (found {self._marker('*', event.anchor, event)})", "write the value out in full; anchors and aliases are refused")
        if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
            self._close()
            return
        # A node: scalar, mapping start or sequence start.
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(event, "max-nodes", f"the document has more than {MAX_NODES} nodes", "a providers file is small; check that this is the right file")
        if getattr(event, "anchor", None) is not None:
            self.fail(event, "no-anchors", f"YAML anchors are not allowed (found {self._marker('&', event.anchor, event)})",
                      "remove the anchor; if the value really starts with '&', quote it")
        if isinstance(event, ev.ScalarEvent):
            self._scalar(event)
        else:
            self._start_collection(event)

    def _marker(self, sigil: str, name: str, event: Any) -> str:
        """The anchor, alias or tag as written, unless it sits where a key may belong: an unquoted
        ``api_key: &k3y...`` is the key itself, which YAML read as an anchor; so is one in a
        base URL (``api_base: &http://...?key=...``) or anywhere below such a field."""
        written = name if sigil == "!" or name.startswith(sigil) else sigil + name
        slot = self.slot(event)
        if is_secret_path(slot) or is_url_path(slot) or (
                slot and isinstance(slot[-1], str) and is_secret_key(slot[:-1], slot[-1])):
            return f"'{sigil}...', not shown because this field may hold a key"
        return quoted(written)

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
            self.fail(event, "no-tags", f"explicit YAML tags are not allowed (found {self._marker('!', event.tag, event)})", "remove the tag")
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

    def _check_text(self, event: Any) -> None:
        """Refuse a scalar that holds what is not text (see ``_NOT_TEXT``), at the character or
        escape that wrote it. Only the code point is named: the scalar may be a key."""
        value = event.value
        if value.isascii() and "\x00" not in value:
            return
        if not _NOT_TEXT.search(value):
            return
        start, end = event.start_mark.index, event.end_mark.index
        found = _find_code_point(self.text[start:end], event.style == '"', _NOT_TEXT)
        if found is None:  # not found as written (cannot happen): report the scalar's start
            code = ord(_NOT_TEXT.search(value).group())  # type: ignore[union-attr]
            found = (0, code, None)
        message, hint = _character_problem(found[1], found[2])
        self.fail(event, "characters", message, hint, mark=_offset_to_position(self.text, start + found[0]))

    def _scalar(self, event: Any) -> None:
        if self._explicit_tag(event):
            self.fail(event, "no-tags", f"explicit YAML tags are not allowed (found {self._marker('!', event.tag, event)})", "remove the tag; quote the value if you wanted a string")
        self._check_text(event)
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
        hidden = is_secret_key(frame.path, event.value)
        shown = "'...' (not shown: it may hold a key)" if hidden else quoted(event.value)
        if tag == "tag:yaml.org,2002:merge":
            self.fail(event, "no-merge-keys", "YAML merge keys ('<<') are not allowed", "write the keys out in full", key_path)
        if tag != "tag:yaml.org,2002:str":
            kind = tag.rsplit(":", 1)[-1]
            self.fail(event, "string-keys", f"mapping keys must be strings; {shown} is read as {kind}",
                      "quote the key" if hidden else f"quote the key: '{quoted(event.value)[1:-1]}'", key_path)
        line = event.start_mark.line + 1
        if event.value in frame.key_lines:
            first = frame.key_lines[event.value]
            self.fail(event, "unique-keys", f"duplicate key {shown} (first defined on line {first}, again on line {line})",
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
                    self.fail(event, "finite-numbers", f"{quoted(event.value)} (NaN or infinity) is not allowed", "use a finite number, or quote the text")
            elif tag == "tag:yaml.org,2002:timestamp":
                value = self._constructor.construct_yaml_timestamp(node)
            else:
                value = event.value
        except (ValueError, OverflowError):
            value = event.value
        written = event.value if event.value else ("~" if tag == "tag:yaml.org,2002:null" else "")
        return value, written


# Plain scalars that a YAML 1.2 reader (editors, check-jsonschema) types as YAML 1.1 does: its
# core schema's booleans and its plain decimal numbers.
_YAML12_BOOLEANS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_YAML12_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+")  # '0123' is octal to YAML 1.1 only
_YAML12_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


def yaml12_disagreements(document: Document) -> list[tuple[JsonPath, str, str]]:
    """Where the registry (YAML 1.1) and a YAML 1.2 reader read a plain scalar differently: each
    (path, message, hint). ``enabled: off`` is false here and the string 'off' in an editor;
    ``timeout: 1:30`` is 90 here (base 60) and a string there; ``0123`` is 83 (octal) here and 123
    there. Strings, nulls and dates are not concerned."""
    found = []
    for path, written in document.implicit.items():
        if is_secret_path(path):
            continue  # a key's field: the schema wants a string there and says so without quoting it
        value = _value_at(document.data, path)
        if isinstance(value, bool):
            if written not in _YAML12_BOOLEANS:
                word = "true" if value else "false"
                found.append((path, f"{quoted(written)} is {word} to this reader (YAML 1.1) but text to YAML 1.2 "
                                    "readers such as editors", f"write {word}"))
        elif isinstance(value, (int, float)) and not (_YAML12_FLOAT if isinstance(value, float) else _YAML12_INT).fullmatch(written):
            found.append((path, f"{quoted(written)} is the number {value} to this reader (YAML 1.1); YAML 1.2 readers "
                                "such as editors read it differently (base 60, octal or '_' digits are YAML 1.1 only)",
                          f"write a plain decimal number: {value} is what this reader sees"))
    return found


def _value_at(data: Any, path: JsonPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
