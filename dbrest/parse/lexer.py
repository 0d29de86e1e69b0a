"""The lexical layer of the query-string grammar: a cursor over one parameter value, and
the productions every other one is built from — quoted values, field names (with `-`),
JSON paths (`->`, `->>`, `->N`), and backtracking (Parsec's `try`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dbrest.parse.ast import Field, JsonStep


class GrammarError(Exception):
    def __init__(self, pos: int, details: str) -> None:
        super().__init__(details)
        self.pos = pos
        self.details = details


class NestingError(GrammarError):
    """Embeds or logic trees nested deeper than `MAX_DEPTH`; never backtracked over.

    PostgREST has no such limit, but Python has a recursion limit: this parser reaches it
    at about 200 levels of embedding, and SQLAlchemy's recursive compiler at about 60
    (a 500 either way). 32 levels is far more than any real request nests.
    """


MAX_DEPTH = 32




class Cursor:
    __slots__ = ("backtracked", "depth", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        # (start, error) of each branch `attempt` backtracked over; see `reported_error`.
        self.backtracked: list[tuple[int, GrammarError]] = []

    def reported_error(self, err: GrammarError) -> GrammarError:
        """The error to report when parsing failed with `err`.

        When the alternative taken after a backtracked branch fails where that branch
        started, without consuming anything, Parsec merges both errors and reports the one
        that got further: so `or(id.in.1)` fails at the `1` ("expecting (") rather than
        at `id` ("expecting logic operator").
        """
        for start, tried in self.backtracked:
            if start == err.pos and tried.pos > err.pos:
                err = tried
        return err

    def nest(self) -> None:
        """Enter one level of `(…)`; the caller decrements `depth` when it leaves."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NestingError(self.pos, f"nesting deeper than {MAX_DEPTH} levels")

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def startswith(self, s: str | tuple[str, ...]) -> bool:
        return self.text.startswith(s, self.pos)

    def accept(self, s: str) -> bool:
        if self.text.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def expect(self, s: str, what: str | None = None) -> None:
        if not self.accept(s):
            self.fail(f'expecting {what or repr(s)}')

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def fail(self, expecting: str, found: str | None = None) -> GrammarError:
        """Fail here, as Parsec words it: the unexpected character (`found`, else the one
        at the cursor) is shown `"c"`, but `'c'` when end of input was among the
        expectations — Parsec's `eof` reports it with `show` of a Char and that message
        takes precedence (`showErrorMessages`)."""
        char = found if found is not None else (None if self.at_end() else self.text[self.pos])
        if char is None or char == "":
            unexpected = "unexpected end of input"
        else:
            unexpected = f"unexpected {hs_show(char, expecting.endswith('end of input'))}"
        raise GrammarError(self.pos, f"{unexpected} {expecting}")


def hs_show(c: str, as_char: bool) -> str:
    """Haskell's `show` of a Char (`'c'`) or of a one-character String (`"c"`)."""
    quote = "'" if as_char else '"'
    escapes = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", quote: "\\" + quote}
    if c in escapes:
        body = escapes[c]
    elif " " <= c <= "~":
        body = c
    else:
        body = f"\\{ord(c)}"
    return f"{quote}{body}{quote}"


def is_ident_char(c: str) -> bool:
    return c.isalnum() or c in "_ $"


def p_quoted(cur: Cursor) -> str:
    """`"…"` with backslash escapes (PostgREST `pQuotedValue`)."""
    cur.expect('"')
    out: list[str] = []
    while True:
        if cur.at_end():
            cur.fail('expecting closing quote \'"\'')
        c = cur.text[cur.pos]
        cur.pos += 1
        if c == '"':
            return "".join(out)
        if c == "\\":
            if cur.at_end():
                cur.fail("expecting escaped character")
            c = cur.text[cur.pos]
            cur.pos += 1
        out.append(c)


def sep_by_dash(cur: Cursor, ident: Callable[[Cursor], str]) -> str:
    parts = [ident(cur)]
    while cur.startswith("-") and not cur.startswith("->"):
        cur.pos += 1
        parts.append(ident(cur))
    return "-".join(parts)


def identifier(cur: Cursor) -> str:
    start = cur.pos
    while not cur.at_end() and is_ident_char(cur.text[cur.pos]):
        cur.pos += 1
    if cur.pos == start:
        cur.fail("expecting field name (* or [a..z0..9_$])")
    return cur.text[start:cur.pos].strip()


def p_field_name(cur: Cursor) -> str:
    if cur.startswith('"'):
        return p_quoted(cur)
    return sep_by_dash(cur, identifier)


def _json_key_ident(cur: Cursor) -> str:
    start = cur.pos
    while not cur.at_end() and cur.text[cur.pos] not in "(-:.,>)":
        cur.pos += 1
    if cur.pos == start:
        cur.fail("expecting any non reserved character different from: .,>()")
    return cur.text[start:cur.pos].strip()


def p_json_path(cur: Cursor) -> tuple[JsonStep, ...]:
    steps: list[JsonStep] = []
    while True:
        if cur.accept("->>"):
            arrow = "->>"
        elif cur.accept("->"):
            arrow = "->"
        else:
            return tuple(steps)
        # each step nests one level in the SQL compiler too: the same limit as `(…)`
        if len(steps) == MAX_DEPTH:
            raise NestingError(cur.pos, f"a JSON path longer than {MAX_DEPTH} steps")
        steps.append(_json_operand(cur, arrow))


def _json_operand(cur: Cursor, arrow: str) -> JsonStep:
    start = cur.pos
    cur.accept("-")
    digits_start = cur.pos
    # ASCII digits only, as Parsec's `digit`: `str.isdigit` also accepts "²" or "٣",
    # which `int()` then rejects downstream.
    while not cur.at_end() and cur.text[cur.pos] in "0123456789":
        cur.pos += 1
    if cur.pos > digits_start:
        rest = cur.text[cur.pos:]
        if rest == "" or rest.startswith(("->", "::", ".", ",", ")")):
            return JsonStep(arrow, cur.text[start:cur.pos], True)  # type: ignore[arg-type]
        if cur.text[start] == "-":
            cur.fail("expecting digit, \"->\", \"::\", \".\", \",\" or end of input")
    elif cur.pos > start:
        cur.fail("expecting digit")  # a bare key cannot start with "-": `->-x` is no index
    cur.pos = start
    if cur.startswith('"'):
        key = p_quoted(cur)
    else:
        key = sep_by_dash(cur, _json_key_ident)
    return JsonStep(arrow, key)  # type: ignore[arg-type]


def p_field(cur: Cursor) -> Field:
    cur.skip_ws()
    name = p_field_name(cur)
    path = p_json_path(cur)
    cur.skip_ws()
    return Field(name, path)


T = TypeVar("T")


def attempt(cur: Cursor, fn: Callable[[Cursor], T]) -> T | None:
    """Run `fn`; on failure restore the position and return None (Parsec's `try`)."""
    start, depth = cur.pos, cur.depth
    try:
        return fn(cur)
    except NestingError:
        raise
    except GrammarError as err:
        cur.backtracked.append((start, err))
        cur.pos, cur.depth = start, depth
        return None
