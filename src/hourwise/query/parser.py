"""Recursive-descent parser: tokens to a ``Program``; errors point at the offending token.

    program    := { statement } EOF
    statement  := ";" | NAME "=" expr end | "return" expr end
    end        := ";" | EOF                  (the last ";" may be left out)
    expr       := STRING | NUMBER | "true" | "false" | "null" | NAME
                | NAME "(" [ expr { "," expr } [","] ] ")"
                | "[" [ expr { "," expr } [","] ] "]"
                | "{" [ STRING ":" expr { "," STRING ":" expr } [","] ] "}"
                | "(" expr ")"
"""

from __future__ import annotations

from hourwise.query.ast import Assign, Call, DictExpr, Expr, ListExpr, Literal, Name, Program, Span
from hourwise.query.errors import QueryParseError, at
from hourwise.query.lexer import EOF, NAME, NUMBER, STRING, Token, tokenize

KEYWORDS = {"true": True, "True": True, "false": False, "False": False, "null": None}
MAX_DEPTH = 100
RETURN = "RETURN"


class Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    # -- helpers -------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def fail(self, token: Token, expected: str) -> QueryParseError:
        return QueryParseError(
            f"Syntax error: expected {expected}, found {token.describe()} "
            f"{at(token.line, token.column)}"
        )

    def expect(self, kind: str, expected: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.fail(token, expected)
        return self.advance()

    # -- grammar -------------------------------------------------------------------

    def program(self) -> Program:
        statements: list[Assign] = []
        while self.peek().kind != EOF:
            if self.peek().kind == ";":
                self.advance()
                continue
            statements.append(self.statement())
        return Program(tuple(statements))

    def statement(self) -> Assign:
        first = self.peek()
        span = Span(first.line, first.column)
        if first.kind == NAME and first.value == "return" and self.peek(1).kind != "=":
            self.advance()
            value = self.value_of("return")
            target = RETURN
        elif first.kind == NAME and self.peek(1).kind == "=":
            if first.value in KEYWORDS:
                raise QueryParseError(f"Cannot assign to {first.value!r} {at(span.line, span.column)}")
            self.advance()
            self.advance()
            target = first.value
            value = self.value_of(target)
        else:
            raise self.fail(first, "an assignment 'name = value;'")
        end = self.peek()
        if end.kind == ";":
            self.advance()
        elif end.kind != EOF:
            raise self.fail(end, f"';' after the value assigned to {target!r}")
        return Assign(target, value, span)

    def value_of(self, target: str) -> Expr:
        token = self.peek()
        if token.kind in (";", EOF):
            raise QueryParseError(
                f"Nothing to assign to {target!r} {at(token.line, token.column)}"
            )
        return self.expr()

    def expr(self) -> Expr:
        token = self.peek()
        span = Span(token.line, token.column)
        kind = token.kind
        if kind == STRING or kind == NUMBER:
            self.advance()
            return Literal(token.value, span)
        if kind == NAME:
            self.advance()
            if self.peek().kind == "(":
                self.advance()
                args = self.sequence(")", "an argument or ')'")
                return Call(token.value, args, span)
            if token.value in KEYWORDS:
                return Literal(KEYWORDS[token.value], span)
            return Name(token.value, span)
        if kind == "[":
            self.advance()
            return ListExpr(self.sequence("]", "a list item or ']'"), span)
        if kind == "{":
            self.advance()
            return self.dict_rest(span)
        if kind == "(":
            self.advance()
            inner = self.nested(self.expr)
            self.expect(")", "')'")
            return inner
        raise self.fail(token, "a value")

    def nested(self, parse):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.peek()
            raise QueryParseError(
                f"Query nests deeper than {MAX_DEPTH} levels {at(token.line, token.column)}"
            )
        try:
            return parse()
        finally:
            self.depth -= 1

    def sequence(self, close: str, expected: str) -> tuple[Expr, ...]:
        items: list[Expr] = []
        while self.peek().kind != close:
            if self.peek().kind in (EOF, ";") :
                raise self.fail(self.peek(), expected)
            items.append(self.nested(self.expr))
            if self.peek().kind == ",":
                self.advance()
            elif self.peek().kind != close:
                raise self.fail(self.peek(), f"',' or '{close}'")
        self.advance()
        return tuple(items)

    def dict_rest(self, span: Span) -> DictExpr:
        keys: list[str] = []
        values: list[Expr] = []
        while self.peek().kind != "}":
            key = self.peek()
            if key.kind != STRING:
                raise self.fail(key, "a string key or '}'")
            self.advance()
            self.expect(":", f"':' after the key {key.value!r}")
            keys.append(key.value)
            values.append(self.nested(self.expr))
            if self.peek().kind == ",":
                self.advance()
            elif self.peek().kind != "}":
                raise self.fail(self.peek(), "',' or '}'")
        self.advance()
        return DictExpr(tuple(keys), tuple(values), span)


def parse(text: str) -> Program:
    """Parse a whole program; it must assign ``RETURN`` somewhere."""
    program = Parser(tokenize(text)).program()
    if not any(statement.target == RETURN for statement in program.statements):
        raise QueryParseError("Query doesn't assign the RETURN variable, nothing to respond")
    return program
