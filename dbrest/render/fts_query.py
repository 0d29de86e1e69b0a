"""PostgreSQL full-text queries → FTS5 query strings (the SQLite converters of the
`fts`, `plfts`, `phfts`, `wfts` values).

Every term is written as an FTS5 string (`"…"`, quotes doubled), so no user text is read
as FTS5 syntax and a query never fails to parse: FTS5 tokenizes a string into a phrase.
`plfts` (plainto_tsquery): the words, all required. `phfts` (phraseto_tsquery): one
phrase. `wfts` (websearch_to_tsquery): `"…"` phrases, `-word` excluded, `or` between
alternatives, the rest required. `fts` (to_tsquery): `&` `|` `!` `( )` become AND, OR,
NOT and groups, `a <-> b` a phrase, `word:*` a prefix; weights (`:AB`) are dropped.
FTS5's NOT is binary (`a NOT b`), so a query excluding terms must also require one: an
alternative of only excluded terms answers PGRST127. A query with no words matches
nothing (`""`), as PostgreSQL's empty query does. The language (`fts(english)`) is not
used: FTS5 tokenizes as its table was created (`tokenize=`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dbrest.errors import DatabaseError, NotImplementedOnBackend

_WORD = re.compile(r"\w+")
NOTHING = '""'


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def plain_query(value: Any, kind: str = "text") -> str:
    words = _words(str(value))
    return " AND ".join(_quote(w) for w in words) if words else NOTHING


def phrase_query(value: Any, kind: str = "text") -> str:
    words = _words(str(value))
    return _quote(" ".join(words)) if words else NOTHING


# -- a small query tree, so that NOT can be placed where FTS5 accepts it ------------------------

@dataclass(frozen=True)
class _Node:
    op: str  # "term", "and", "or", "not"
    text: str = ""  # a term's FTS5 text
    children: tuple[_Node, ...] = ()


def _emit(node: _Node) -> str:
    """FTS5 text of a node that is not a bare NOT."""
    if node.op == "term":
        return node.text
    if node.op == "or":
        return " OR ".join(f"({_emit(_positive(c))})" for c in node.children)
    if node.op == "not":
        raise _only_excluded()
    positives = [c for c in node.children if c.op != "not"]
    negatives = [c.children[0] for c in node.children if c.op == "not"]
    if not positives:
        raise _only_excluded()
    out = " AND ".join(f"({_emit(c)})" for c in positives)
    return out + "".join(f" NOT ({_emit(_positive(c))})" for c in negatives)


def _positive(node: _Node) -> _Node:
    if node.op == "not":
        raise _only_excluded()
    return node


def _only_excluded() -> NotImplementedOnBackend:
    return NotImplementedOnBackend(
        "a full-text query that only excludes terms is not available on sqlite")


def _and(nodes: list[_Node]) -> _Node:
    return nodes[0] if len(nodes) == 1 else _Node("and", children=tuple(nodes))


def _or(nodes: list[_Node]) -> _Node:
    return nodes[0] if len(nodes) == 1 else _Node("or", children=tuple(nodes))


def websearch_query(value: Any, kind: str = "text") -> str:
    """websearch_to_tsquery's syntax, which never fails: stray symbols are ignored."""
    groups: list[list[_Node]] = [[]]
    for m in re.finditer(r'(-?)"([^"]*)"?|(\S+)', str(value)):
        if m.group(3) is not None and m.group(3).lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        negate = bool(m.group(1)) or (m.group(3) or "").startswith("-")
        words = _words(m.group(2) if m.group(3) is None else m.group(3))
        if not words:
            continue
        term = _Node("term", _quote(" ".join(words)) if m.group(3) is None
                     else " AND ".join(_quote(w) for w in words))
        groups[-1].append(_Node("not", children=(term,)) if negate else term)
    alternatives = [_and(g) for g in groups if g]
    return _emit(_or(alternatives)) if alternatives else NOTHING


# -- to_tsquery ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(<->|<\d+>|[&|!()])|([^\s&|!()<:]+)(:\*?[A-Da-d]*\*?)?)")


class _Parser:
    """to_tsquery's grammar: or := and ('|' and)*; and := phrase ('&' phrase)*;
    phrase := unary ('<->' unary)*; unary := '!' unary | '(' or ')' | word."""

    def __init__(self, text: str) -> None:
        self.text, self.tokens = text, self._tokenize(text)
        self.pos = 0

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise self.error()
            if m.group(1):
                tokens.append(("op", "<->" if m.group(1).startswith("<") else m.group(1)))
            elif m.group(2):
                prefix = "*" in (m.group(3) or "")
                tokens.append(("prefix" if prefix else "word", m.group(2)))
            pos = m.end()
        return tokens

    def error(self) -> DatabaseError:
        return DatabaseError("42601", 400, f'syntax error in tsquery: "{self.text}"')

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) and \
            self.tokens[self.pos][0] == "op" else None

    def parse(self) -> _Node | None:
        if not self.tokens:
            return None
        node = self.or_()
        if self.pos != len(self.tokens):
            raise self.error()
        return node

    def or_(self) -> _Node:
        nodes = [self.and_()]
        while self.peek() == "|":
            self.pos += 1
            nodes.append(self.and_())
        return _or(nodes)

    def and_(self) -> _Node:
        nodes = [self.phrase()]
        while self.peek() == "&":
            self.pos += 1
            nodes.append(self.phrase())
        flat: list[_Node] = []
        for n in nodes:
            flat.extend(n.children if n.op == "and" else (n,))
        return _and(flat)

    def phrase(self) -> _Node:
        nodes = [self.unary()]
        while self.peek() == "<->":
            self.pos += 1
            nodes.append(self.unary())
        if len(nodes) == 1:
            return nodes[0]
        if all(n.op == "term" and n.text.startswith('"') and not n.text.endswith("*")
               for n in nodes):  # words in a row: one phrase
            return _Node("term", _quote(" ".join(n.text[1:-1].replace('""', '"')
                                                 for n in nodes)))
        return _and(nodes)  # FTS5 phrases hold only words: the terms, all required

    def unary(self) -> _Node:
        if self.pos >= len(self.tokens):
            raise self.error()
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "word":
            return _Node("term", " AND ".join(_quote(w) for w in _words(text)) or NOTHING)
        if kind == "prefix":
            words = _words(text)
            if not words:
                return _Node("term", NOTHING)
            return _Node("term", " AND ".join([*map(_quote, words[:-1]), _quote(words[-1]) + "*"]))
        if text == "!":
            return _Node("not", children=(self.unary(),))
        if text == "(":
            node = self.or_()
            if self.peek() != ")":
                raise self.error()
            self.pos += 1
            return node
        raise self.error()


def tsquery_query(value: Any, kind: str = "text") -> str:
    node = _Parser(str(value)).parse()
    return NOTHING if node is None else _emit(node)
