"""Lexer and parser: both reference dialects, and errors that say what and where."""

from __future__ import annotations

import pytest

from hourwise.query.ast import Call, DictExpr, ListExpr, Literal, Name
from hourwise.query.errors import QueryParseError
from hourwise.query.parser import parse


def value(text: str):
    return parse(f"RETURN = {text};").statements[0].value


def test_python_dialect():
    program = parse('a = 1;b = "x";RETURN = [a, b, \'y\', true, False];')
    assert [s.target for s in program.statements] == ["a", "b", "RETURN"]
    items = program.statements[2].value.items
    assert items[2] == Literal("y", items[2].span)
    assert [i.value for i in items[3:]] == [True, False]


def test_rust_dialect_extensions():
    program = parse('# totals\nx = 1.5; # trailing comment\nreturn {"x": x, "n": null}')
    assert program.statements[0].value.value == 1.5
    ret = program.statements[1]
    assert ret.target == "RETURN" and isinstance(ret.value, DictExpr)
    assert ret.value.values[1].value is None


def test_strings_keep_backslashes_and_semicolons():
    assert value(r'"\d+;\w"').value == r"\d+;\w"
    assert value(r'"say \"hi\""').value == 'say "hi"'
    assert value(r"'it\'s'").value == "it's"
    assert value('"a\'b"').value == "a'b"


def test_nested_calls_keep_every_argument():
    call = value('filter_keyvals(flood(query_bucket("b")), "status", ["not-afk"])')
    assert isinstance(call, Call) and len(call.args) == 3
    assert isinstance(call.args[0], Call) and call.args[1].value == "status"
    assert isinstance(call.args[2], ListExpr)


def test_trailing_commas_parentheses_and_names():
    assert len(value("[1, 2,]").items) == 2
    assert isinstance(value("(x)"), Name)
    assert value("{}").keys == ()


def test_empty_statements_are_skipped():
    assert len(parse(";;RETURN = 1;;").statements) == 1


@pytest.mark.parametrize("text, message", [
    ("a = 1;", "Query doesn't assign the RETURN variable"),
    ("", "Query doesn't assign the RETURN variable"),
    ("RETURN = ;", "Nothing to assign to 'RETURN' at line 1, column 10"),
    ("RETURN = 1 2;", "expected ';' after the value assigned to 'RETURN', found number 2 at line 1, column 12"),
    ("a = 1\nRETURN = a;", "found name 'RETURN' at line 2, column 1"),
    ('RETURN = "abc', "Unterminated string starting at line 1, column 10"),
    ("RETURN = [1, 2", "expected ',' or ']', found the end of the query"),
    ("RETURN = {1: 2};", "expected a string key or '}', found number 1"),
    ('RETURN = {"a" 2};', "expected ':' after the key 'a'"),
    ("RETURN = -1;", "unexpected character '-' at line 1, column 10"),
    ("RETURN = f(;", "expected an argument or ')'"),
    ("1 = 2; RETURN = 1;", "expected an assignment"),
    ("true = 2; RETURN = 1;", "Cannot assign to 'true'"),
])
def test_parse_errors_name_the_problem_and_place(text, message):
    with pytest.raises(QueryParseError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.body()["type"] == "QueryParseException"


def test_deep_nesting_is_a_parse_error_not_a_crash():
    with pytest.raises(QueryParseError, match="nests deeper"):
        parse("RETURN = " + "[" * 500 + "]" * 500 + ";")
