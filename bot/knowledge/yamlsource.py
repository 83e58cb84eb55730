"""YAML parsing that remembers where every value came from.

Errors in the knowledge base must name file, line and field, so we compose the YAML node tree
ourselves and keep each value's line. Anchors and aliases are refused outright: the knowledge
base never needs them and they are how "billion laughs" YAML bombs work.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

Path = tuple[str | int, ...]
T = TypeVar("T")

# Large enough for any real knowledge file or moderator export, small enough to refuse abuse.
MAX_YAML_BYTES = 5_000_000
ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
# libyaml's parser when PyYAML has it (the wheels do): the pure-Python one spent ~1.5 s of every
# CLI start reading the FAQ. Both give the same nodes and line marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 32  # the knowledge base nests 5 deep; anything far deeper is an attack or an accident


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = "warning" if self.severity == "warning" else "error"
        return f"{where}: {label}: {self.field or '(file)'}: {self.message}"


class KnowledgeError(Exception):
    """Raised when knowledge cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Located:
    """Plain Python data plus the source line of every path inside it."""

    file: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int | None:
        # Fall back to the nearest enclosing value that has a line.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def field_name(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


LineOf = Callable[[Path], "int | None"]


def no_line(_: Path) -> int | None:
    """For data with no file behind it (a moderator's form): problems name no line."""
    return None


@dataclass
class Problems:
    """Collects what is wrong with one document; `problems(path, message)` records a problem
    naming the file, the line of `path` and its field. `prefix` places the document inside a
    larger one (an entry inside an FAQ file)."""

    file: str
    line_of: LineOf = no_line
    prefix: Path = ()
    found: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, src: Located) -> Problems:
        return cls(src.file, src.line)

    def __call__(self, path: Path, message: str, severity: str = "error") -> None:
        full = (*self.prefix, *path)
        self.found.append(
            Problem(self.file, self.line_of(full), field_name(full), message, severity)
        )


def _flow_depth(text: str) -> int:
    """The deepest nesting of [ ] and { } (quotes ignored: erring towards refusing is fine)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def read_mapping(
    src: Located,
    build: Callable[[dict[str, Any], Problems], T | None],
    expected: str = "must be a mapping",
) -> tuple[T | None, list[Problem]]:
    """Read a document that must be a mapping with `build`, which reports what is wrong to the
    `Problems` it is given; the result only when nothing was wrong, and every problem."""
    problem = Problems.of(src)
    if not isinstance(src.data, dict):
        problem((), expected)
        return None, problem.found
    built = build(src.data, problem)
    return (None if problem.found else built), problem.found


def parse_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; raise KnowledgeError naming file and line on any problem."""
    if len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise KnowledgeError(
            [Problem(file, None, "", f"file is larger than {MAX_YAML_BYTES} bytes")]
        )
    if _flow_depth(text) > MAX_DEPTH:
        # PyYAML's scanner is quadratic in flow nesting ("[" * 100_000 took 6 s of CPU before
        # it hit the recursion limit), so deep brackets are refused before it sees them.
        raise KnowledgeError(
            [Problem(file, None, "", f"nested too deeply (more than {MAX_DEPTH} levels)")]
        )
    try:
        # Even creating the loader reads the text (control characters fail here).
        loader = _Loader(text)
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(file, None, "", f"invalid YAML: {exc}")]) from None
    try:
        node = loader.get_single_node()
        located = Located(file, None)
        if node is not None:
            located.data = _build(node, (), located, loader, set())
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise KnowledgeError(
            [Problem(file, line, "", f"invalid YAML: {exc.problem or exc.context}")]
        ) from None
    except yaml.YAMLError as exc:
        raise KnowledgeError([Problem(file, None, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise KnowledgeError(
            [Problem(file, None, "", f"nested too deeply (more than {MAX_DEPTH} levels)")]
        ) from None
    finally:
        loader.dispose()


def _build(
    node: yaml.Node, path: Path, located: Located, loader: yaml.SafeLoader, seen: set[int]
) -> Any:
    line = node.start_mark.line + 1
    if len(path) > MAX_DEPTH:
        raise KnowledgeError(
            [Problem(located.file, line, "", f"nested too deeply (more than {MAX_DEPTH} levels)")]
        )
    if node.tag not in ALLOWED_TAGS:
        raise KnowledgeError(
            [Problem(located.file, line, field_name(path), f"YAML tag {node.tag!r} is not allowed")]
        )
    if id(node) in seen:
        raise KnowledgeError(
            [
                Problem(
                    located.file, line, field_name(path), "YAML anchors and aliases are not allowed"
                )
            ]
        )
    seen.add(id(node))
    located.lines[path] = line
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise KnowledgeError(
                    [
                        Problem(
                            located.file, line, field_name(path), "YAML merge keys are not allowed"
                        )
                    ]
                )
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise KnowledgeError(
                    [
                        Problem(
                            located.file,
                            key_node.start_mark.line + 1,
                            field_name((*path, key)),
                            "duplicate key",
                        )
                    ]
                )
            result[key] = _build(value_node, (*path, key), located, loader, seen)
            located.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), located, loader, seen)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
