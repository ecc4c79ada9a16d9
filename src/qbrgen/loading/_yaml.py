"""Safe YAML reading that keeps where every value came from, for located error messages."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from qbrgen.errors import Location
from qbrgen.loading._yaml_traps import explain_syntax_error

try:  # libyaml is ~10x faster; fall back to pure Python where it is not built.
    from yaml import CSafeLoader as _BaseLoader
    from yaml._yaml import CParser as _EventParser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _EventParser = None  # type: ignore[assignment,misc]


class _Loader(_BaseLoader):
    """Safe loader that leaves dates as strings so Pydantic reports bad ones with context.

    PyYAML's own timestamp resolver raises a bare ValueError on '2026-02-30' and loses
    the position; the models parse dates themselves.
    """


class DuplicateKeyError(yaml.MarkedYAMLError):
    """The same key twice in one mapping: YAML would silently keep the last value."""


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    """Build a mapping, refusing a key that appears twice (naming both lines). Keys merged
    in with `<<` may be overridden, as YAML intends; keys written out may not."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML reports it
                continue
            if first is not None:
                raise DuplicateKeyError(
                    problem=(
                        f"key '{key}' appears twice in the same mapping, on lines "
                        f"{first.start_mark.line + 1} and {key_node.start_mark.line + 1}; "
                        "YAML would silently keep only the last one: delete one of them"
                    ),
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node
    return _BASE_CONSTRUCT_MAPPING(loader, node, deep)


_BASE_CONSTRUCT_MAPPING = _BaseLoader.construct_mapping
_Loader.construct_mapping = _construct_mapping  # type: ignore[method-assign,assignment]

_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

MAX_FILE_BYTES = 20 * 1024 * 1024


class _NotPlain(Exception):
    """The fast reader met YAML it leaves to PyYAML (tags, anchors, merge keys, complex keys)."""


_NO_KEY = object()
_IN_LIST = object()
_SCALARS: dict[str, Any] = {}
"""Plain scalar text -> its value. YAML resolves a plain scalar from its text alone, and every
value here is immutable, so one object serves every file (which also shares repeated strings)."""
_RESOLVER: Any = None


def _plain_scalar(text: str) -> Any:
    global _RESOLVER
    try:
        return _SCALARS[text]
    except KeyError:
        pass
    if _RESOLVER is None:
        _RESOLVER = _Loader("")
    node = yaml.ScalarNode(_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)), text)
    value = _RESOLVER.construct_object(node, deep=True)
    if len(_SCALARS) > 200_000:
        _SCALARS.clear()
    _SCALARS[text] = value
    return value


def _load_plain(text: str) -> Any:
    """Build Python data straight from libyaml's events: the same result as
    `yaml.load(text, _Loader)` for files without tags, anchors, aliases, merge keys or complex
    keys (raises _NotPlain for those), in about a third of the time. Account files are plain."""
    events = _EventParser(text)
    get: Callable[[], Any] = events.get_event
    try:
        get()  # stream start
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return None
        root: Any = None
        current: Any = None
        key: Any = None
        stack: list[tuple[Any, Any]] = []
        event = get()
        while True:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.tag is not None or event.anchor is not None:
                    raise _NotPlain
                value = event.value if event.style else _plain_scalar(event.value)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.tag is not None or event.anchor is not None or key is _NO_KEY:
                    raise _NotPlain
                stack.append((current, key))
                if kind is yaml.MappingStartEvent:
                    current, key = {}, _NO_KEY
                else:
                    current, key = [], _IN_LIST
                event = get()
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = current
                current, key = stack.pop()
            elif kind is yaml.DocumentEndEvent:
                break
            else:  # an alias, or anything else PyYAML gives meaning to
                raise _NotPlain
            if current is None:
                root = value
            elif key is _IN_LIST:
                current.append(value)
            elif key is _NO_KEY:
                key = value
            else:
                if key == "<<" or key in current:
                    raise _NotPlain  # a merge key, or a duplicate key PyYAML's loader locates
                current[key] = value
                key = _NO_KEY
            event = get()
        if type(get()) is not yaml.StreamEndEvent:
            raise _NotPlain  # more than one document: PyYAML words the error
        return root
    finally:
        events.dispose()


class YamlFileError(Exception):
    """A file that is not readable YAML: carries a one-line message and a position."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


Parsed = tuple[Any, tuple[str, int | None, int | None] | None, str | None]
"""A parsed file: (data, None, content key) or (None, (message, line, column), key or None)."""


def content_key(raw: bytes) -> str:
    """A file's content as a short key (sha256): the same bytes, the same key."""
    return hashlib.sha256(raw).hexdigest()[:32]


def parse_file(path: Path) -> Parsed:
    """Parse one YAML file, keeping any error as data (for a worker process to send back)."""
    try:
        raw = _read_bytes(path)
    except YamlFileError as exc:
        return None, (str(exc), exc.line, exc.column), None
    key = content_key(raw)
    try:
        return parse_yaml_bytes(raw)[0], None, key
    except YamlFileError as exc:
        return None, (str(exc), exc.line, exc.column), key


def parse_files(paths: list[str]) -> list[Parsed]:
    """Parse many YAML files (run in a worker process)."""
    gc.disable()  # a worker process that only builds plain data: no cycles to collect
    return [parse_file(Path(name)) for name in paths]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise YamlFileError(f"cannot read file: {exc.strerror}") from exc


def read_yaml(path: Path) -> tuple[Any, str]:
    """Read a YAML file safely; returns (data, text). Raises YamlFileError with a position."""
    return parse_yaml_bytes(_read_bytes(path))


def parse_yaml_bytes(raw: bytes) -> tuple[Any, str]:
    """A YAML file's bytes as (data, text). Raises YamlFileError with a position."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlFileError(f"file is {len(raw) // 1024 // 1024} MB; account files are small text")
    if b"\x00" in raw[:8192]:
        raise YamlFileError("this is a binary file, not YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    if not text.strip():
        raise YamlFileError("the file is empty")
    try:
        data = load_text(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        assert mark is not None
        raise YamlFileError(str(exc.problem), mark.line + 1, mark.column + 1) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        if mark is not None:
            line, column = mark.line, mark.column
            explained = explain_syntax_error(text, exc)
            if explained is not None:
                problem, line, column = explained
            raise YamlFileError(f"not valid YAML: {problem}", line + 1, column + 1) from exc
        raise YamlFileError(f"not valid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlFileError(f"not valid YAML: {exc}") from exc
    return data, text


def load_text(text: str) -> Any:
    """YAML text -> data, safely (no tags beyond YAML's own, dates left as strings)."""
    if _EventParser is not None:
        try:
            return _load_plain(text)
        except _NotPlain:
            pass
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass


class NodeLocator:
    """Maps a Pydantic error location (a path of keys and indexes) to a line and column."""

    def __init__(self, path_label: str, text: str | None = None, path: Path | None = None):
        self.path_label = path_label
        self._text = text
        self._path = path
        self._root: yaml.Node | None = None

    def _read_text(self) -> str | None:
        if self._text is None and self._path is not None:
            try:
                self._text = self._path.read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                return None
        return self._text

    def _tree(self) -> yaml.Node | None:
        # Composed only when a position is asked for (an error): valid files cost nothing.
        if self._root is None:
            text = self._read_text()
            if text is None:
                return None
            try:
                self._root = yaml.compose(text, Loader=_Loader)  # noqa: S506
            except yaml.YAMLError:
                return None
        return self._root

    def source(self, loc: Sequence[str | int]) -> str | None:
        """The text of the value at `loc` as typed, when YAML gave it a meaning of its own: an
        unquoted scalar, or a mapping or list written on one line. None otherwise."""
        node = self._tree()
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if part < len(node.value) else None
            else:
                return None
        if node is None:
            return None
        if isinstance(node, yaml.ScalarNode):
            return node.value if not node.style else None
        start = node.start_mark
        flow = getattr(node, "flow_style", False)
        end = node.end_mark if flow else getattr(_last_scalar(node), "end_mark", None)
        if self._text is None or end is None or end.line != start.line:
            return None
        return self._text.splitlines()[start.line][start.column : end.column].strip()

    def locate(self, loc: Sequence[str | int]) -> Location:
        """The position of the key (or item) named by `loc`, or of its nearest parent."""
        if self._root is None and _EventParser is not None:
            # A warning on a valid file (the usual case) needs one position: read libyaml's
            # events up to it instead of composing the whole file into nodes.
            text = self._read_text()
            at = _mark_by_events(text, loc) if text is not None else None
            if at is not None:
                return Location(self.path_label, at[0] + 1, at[1] + 1)
        node = self._tree()
        mark = node.start_mark if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = None
                for key, value in node.value:
                    if key.value == part:
                        found = (key, value)
                        break
                if found is None:
                    break
                mark, node = found[0].start_mark, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        if mark is None:
            return Location(self.path_label)
        return Location(self.path_label, mark.line + 1, mark.column + 1)


def _mark_by_events(text: str, loc: Sequence[str | int]) -> tuple[int, int] | None:
    """(line, column), from 0, of what `NodeLocator.locate` finds for `loc`, read from libyaml's
    events; None when the way there holds something only a composed tree resolves (an alias,
    a second document) or the text is not YAML."""
    events = _EventParser(text)
    get: Callable[[], Any] = events.get_event
    try:
        get()  # stream start
        if type(get()) is not yaml.DocumentStartEvent:
            return None
        event = get()
        mark = event.start_mark
        for part in loc:
            kind = type(event)
            if kind is yaml.MappingStartEvent:
                while True:
                    key = get()
                    if type(key) is yaml.MappingEndEvent:
                        return mark.line, mark.column
                    if type(key) is yaml.ScalarEvent and key.value == part:
                        mark, event = key.start_mark, get()
                        break
                    if type(key) is yaml.AliasEvent:
                        return None
                    _skip_node(get, key)
                    _skip_node(get, get())
            elif kind is yaml.SequenceStartEvent and isinstance(part, int):
                item = get()
                for _ in range(part):
                    if type(item) is yaml.SequenceEndEvent:
                        break
                    _skip_node(get, item)
                    item = get()
                if type(item) is yaml.SequenceEndEvent:
                    return mark.line, mark.column
                mark, event = item.start_mark, item
            elif kind is yaml.AliasEvent:
                return None
            else:
                break
        return mark.line, mark.column
    except yaml.YAMLError:
        return None
    finally:
        events.dispose()


def _skip_node(get: Callable[[], Any], event: Any) -> None:
    """Read past the node that starts with `event` (a scalar or alias is one event)."""
    depth = 0
    while True:
        kind = type(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            depth += 1
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1
        if depth == 0:
            return
        event = get()


def _last_scalar(node: yaml.Node) -> yaml.Node | None:
    """The last scalar inside a mapping or list (where its text ends)."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        if not node.value:
            return None
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node
