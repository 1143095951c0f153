"""A small reader for the front matter of persona files (the subset such files use).

Persona files carry a handful of ``key: value`` lines: plain or quoted scalars, ``|`` and
``>`` block scalars, and short lists (``[a, b]`` or ``- item`` lines). This reader covers
exactly that, so the package needs no YAML library; anything else is a clear error.
"""

from __future__ import annotations

import re

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
Value = str | list[str]


class FrontMatterError(ValueError):
    """The front matter is missing or uses syntax this reader does not accept."""


def _scalar(raw: str, line_number: int) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        if raw[0] == "'":
            return inner.replace("''", "'")
        return inner.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
    if raw[:1] in "\"'":
        raise FrontMatterError(f"line {line_number}: unterminated quoted value")
    return re.sub(r"\s+#.*$", "", raw)


def _block(lines: list[str], style: str) -> str:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    indent = min(indents, default=0)
    body = [line[indent:] for line in lines]
    while body and not body[-1].strip():
        body.pop()
    if style.startswith(">"):
        paragraphs = "\n".join(body).split("\n\n")
        text = "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
    else:
        text = "\n".join(body)
    return text if style.endswith("-") else text + "\n"


def parse_front_matter(block: str) -> dict[str, Value]:
    """Parse the lines between the ``---`` markers into a dict."""
    lines = block.split("\n")
    fields: dict[str, Value] = {}
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.match(line)
        if match is None:
            raise FrontMatterError(f"line {index + 1}: expected `key: value`, got {line!r}")
        key, rest = match.group(1), match.group(2).strip()
        nested: list[str] = []
        while index < len(lines) and (
            not lines[index].strip() or lines[index][:1] in " \t" or lines[index].startswith("-")
        ):
            nested.append(lines[index].rstrip())
            index += 1
        if rest in {"|", "|-", ">", ">-"}:
            fields[key] = _block(nested, rest)
        elif rest.startswith("[") and rest.endswith("]"):
            fields[key] = [_scalar(item, index) for item in rest[1:-1].split(",") if item.strip()]
        elif not rest and any(item.strip() for item in nested):
            items = [item.strip() for item in nested if item.strip()]
            if not all(item.startswith("- ") for item in items):
                raise FrontMatterError(f"line {index}: nested mappings are not supported")
            fields[key] = [_scalar(item[2:], index) for item in items]
        else:
            continuation = " ".join(item.strip() for item in nested if item.strip())
            fields[key] = _scalar(f"{rest} {continuation}".strip(), index)
    return fields


def split_front_matter(text: str) -> tuple[dict[str, Value], str]:
    """``(front matter fields, body)`` of a markdown file that starts with ``---``."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("missing front matter (the file must start with a `---` line)")
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            block = "".join(lines[1:end]).replace("\r\n", "\n")
            return parse_front_matter(block), "".join(lines[end + 1 :])
    raise FrontMatterError("unterminated front matter (no closing `---` line)")
