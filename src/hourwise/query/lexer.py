"""The query2 lexer: program text to tokens, each with its line and column.

Accepts both reference dialects: aw-core's (single and double quotes, integers,
``RETURN``) and aw-server-rust's (floats, ``#`` comments to the end of the line,
lower-case ``return``). Inside a string a backslash escapes only the enclosing quote
character; every other backslash stays as it is, which is what regexes need.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from hourwise.query.errors import QueryParseError, at

STRING, NUMBER, NAME, EOF = "string", "number", "name", "end of query"

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n\f\v]+)
  | (?P<comment>\#[^\n]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<quote>["'])
  | (?P<punct>[=;,()\[\]{}:])
    """,
    re.VERBOSE,
)


class Token(NamedTuple):
    # A tuple: a program has hundreds of tokens, and building a tuple is several times
    # cheaper than a frozen dataclass.
    kind: str  # STRING, NUMBER, NAME, EOF or the punctuation character itself
    value: Any
    line: int
    column: int

    def describe(self) -> str:
        """How the token is named in error messages."""
        if self.kind == EOF:
            return "the end of the query"
        if self.kind == STRING:
            return f"string {self.value!r}"
        if self.kind in (NUMBER, NAME):
            return f"{self.kind} {self.value!r}" if self.kind == NAME else f"number {self.value}"
        return f"'{self.kind}'"


def _read_string(text: str, start: int, line: int, column: int) -> tuple[str, int]:
    """The value of the string literal opening at ``start`` and the index after it."""
    quote = text[start]
    parts: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        j = text.find(quote, i)
        if j < 0:
            break
        if text[j - 1] == "\\" and j - 1 >= i:
            # An escaped quote: keep the text before the backslash, then the quote.
            parts.append(text[i : j - 1])
            parts.append(quote)
            i = j + 1
            continue
        parts.append(text[i:j])
        return "".join(parts), j + 1
    raise QueryParseError(f"Unterminated string starting {at(line, column)}")


def tokenize(text: str) -> list[Token]:
    """Split a program into tokens; the last one is always EOF."""
    tokens: list[Token] = []
    append = tokens.append
    pos, line, line_start = 0, 1, 0
    n = len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        column = pos - line_start + 1
        if m is None:
            char = text[pos]
            raise QueryParseError(f"Syntax error: unexpected character {char!r} {at(line, column)}")
        kind = m.lastgroup
        end = m.end()
        if kind == "space" or kind == "comment":
            pass
        elif kind == "quote":
            value, end = _read_string(text, pos, line, column)
            append(Token(STRING, value, line, column))
        elif kind == "number":
            raw = m.group()
            append(Token(NUMBER, float(raw) if "." in raw else int(raw), line, column))
        elif kind == "name":
            append(Token(NAME, m.group(), line, column))
        else:
            append(Token(m.group(), None, line, column))
        newlines = text.count("\n", pos, end)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", pos, end) + 1
        pos = end
    append(Token(EOF, None, line, pos - line_start + 1))
    return tokens
