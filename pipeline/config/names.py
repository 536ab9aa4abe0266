"""Names the config gives to things a release is made of: table names (file names: ``data/<table>.parquet``)
and the output names of kept columns (Parquet column names, items of the 公表 pages).

Why a checked vocabulary: a table called ``../../escaped`` once wrote its Parquet outside the release, and
``a/b`` crashed (issue 11). A name is an identifier: letters of any script (Japanese included), digits, ``_``,
``-``, ``・``, ``ー``, and, for column output names only, parentheses and ``（）``; it does not start with a
dot or a hyphen, holds no path separator, no ``..``, no whitespace or control character, and is at most
:data:`MAX_LENGTH` characters. Table names must also differ ignoring case (``Claims`` and ``claims`` are one
file on macOS and Windows), and are not a Windows device name.

Also: :func:`duplicate_key_loader`, a YAML loader that rejects a key given twice (a second ``privacy:``
block once silently won, giving a release with k=2).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_LENGTH = 64
_TABLE = re.compile(r"[^\W_][\w\-・ー]*")
_OUTPUT = re.compile(r"[^\W_][\w\-・ー()（）]*")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                    *(f"lpt{i}" for i in range(10))}


def name_problem(name: object, kind: str = "table") -> str | None:
    """Why ``name`` is not an acceptable table (``kind="table"``) or column output name, or None."""
    if not isinstance(name, str):
        return f"must be text, found {type(name).__name__}"
    rx = _TABLE if kind == "table" else _OUTPUT
    if not name:
        return "must not be empty"
    if len(name) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if "/" in name or "\\" in name or ".." in name:
        return "must not hold a path separator or '..'"
    if not rx.fullmatch(name):
        allowed = "letters (Japanese included), digits, _ - ・ ー" + (" ( )" if kind != "table" else "")
        return f"may hold only {allowed}, and must start with a letter or digit"
    if kind == "table" and name.split(".")[0].lower() in _WINDOWS_DEVICES:
        return "is a reserved device name on Windows"
    return None


class DuplicateKeyError(yaml.YAMLError):
    """A mapping gives one key twice; ``line``/``first`` are 1-based."""

    def __init__(self, key: str, line: int, first: int) -> None:
        super().__init__(f"key {key!r} given twice (lines {first} and {line})")
        self.key, self.line, self.first = key, line, first


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping (YAML 1.2 says keys are unique;
    PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark) from None
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKeyError(str(key), line, seen[key])
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_StrictLoader)
