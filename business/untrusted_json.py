"""Reading JSON a user can supply: a size limit, a nesting limit, then one strict pydantic schema.

Every document that comes back from a file or a stored version (the project file, a canvas, financial
assumptions, negotiated prices) goes through `parse_json` (bytes -> Python values) and `validate`
(values -> a schema model). The schemas live next to their domain (business/canvas/schema.py,
business/financials/schema.py, business/costs/price_schema.py) and share `Document`'s rules:

- strict types: a text field takes a JSON string only, never an object, a list, a number or true/false
  (nothing is stringified); amounts take a string ("490.00") or a number, never true/false or an object;
- unknown fields are refused, never ignored, with the field's path (`canvas.value_propositions[0].canvas`);
- every text and list has a stated maximum length, and a document nests at most MAX_DEPTH levels, checked
  on the raw text before `json.loads` recurses (a file nested 50,000 deep is refused, not a RecursionError).

A refused document raises `SchemaError` (a ValueError) whose message lists the first problems, each with
its path and the bad value; callers wrap it in their own error ("The canvas in the file is invalid: ...").
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_DEPTH = 20  # the deepest real document (financial usage cohorts inside a project file) nests 6 levels
MAX_AMOUNT_CHARS = 40
_SHOWN_PROBLEMS = 3
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string, escapes included
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKET = bytes(b for b in range(256) if b not in _STEP)
_JSON_NAMES = {dict: "an object", list: "a list", str: "a text", bool: "true/false", int: "a number",
               float: "a number", type(None): "null"}

M = TypeVar("M", bound=BaseModel)


class SchemaError(ValueError):
    """A document that does not have the documented shape; the message names each bad field's path."""


class Document(BaseModel):
    """The rules every untrusted document shares: strict types, unknown fields refused, values frozen."""
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _amount(value: Any) -> str | int | float:
    # Not str | int | float: a union reports one error per member; this says it once, in words.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PydanticCustomError("amount_type", 'must be an amount as text ("490.00") or a number, not {kind}',
                                  {"kind": json_kind(value)})
    if isinstance(value, str) and len(value) > MAX_AMOUNT_CHARS:
        # pydantic fills {names} in but applies no format spec: the number is formatted here.
        raise PydanticCustomError("amount_too_long", "is {length} characters long; an amount has at most {limit}",
                                  {"length": f"{len(value):,}", "limit": MAX_AMOUNT_CHARS})
    return value


# An amount as the files write it: decimal text ("490.00", "0.05") or a JSON number. Its range and
# meaning are checked by the domain (`parse_money`, `make_amount`, ...), which says which value is wrong.
Amount = Annotated[Any, PlainValidator(_amount),
                   WithJsonSchema({"type": ["string", "number"], "maxLength": MAX_AMOUNT_CHARS})]


def parse_json(raw: bytes, *, max_bytes: int, what: str = "The file") -> Any:
    """Bytes -> Python values, refusing too big, not UTF-8, too deeply nested or not JSON, in that order."""
    if len(raw) > max_bytes:
        raise SchemaError(f"{what} is {len(raw):,} bytes; the limit is {max_bytes:,}.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemaError(f"{what} is not UTF-8 text (bad byte at position {error.start}).") from None
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise SchemaError(f"{what} nests objects and lists {depth:,} levels deep; the limit is {MAX_DEPTH}.")
    try:
        return json.loads(text, parse_constant=lambda name: _refuse_constant(name, what))
    except json.JSONDecodeError as error:
        raise SchemaError(f"{what} is not valid JSON: {error.msg} at line {error.lineno}.") from None
    except RecursionError:  # unreachable after the depth check; kept so a deep file can never crash a page
        raise SchemaError(f"{what} nests too deeply to read; the limit is {MAX_DEPTH} levels.") from None


def nesting_depth(text: str) -> int:
    """How deeply objects and lists nest, counted on the text (strings removed) without recursion.

    Counted in C (map, accumulate, max) so a 2 MB file of brackets costs a fraction of a second."""
    brackets = _STRING.sub("", text).encode("utf-8", "replace").translate(None, _NOT_BRACKET)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def validate(model: type[M], data: object) -> M:
    """`data` as `model`, or SchemaError listing the first problems with their paths."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise SchemaError(describe(error)) from None
    except RecursionError:  # a deep structure built in Python, not read through parse_json
        raise SchemaError(f"The document nests too deeply; the limit is {MAX_DEPTH} levels.") from None


def describe(error: ValidationError) -> str:
    """'path: why (got value)' for the first few problems, in words a founder can act on."""
    problems = error.errors(include_url=False)
    lines = [f"{field_path(p['loc'])}: {_why(p)}" for p in problems[:_SHOWN_PROBLEMS]]
    more = len(problems) - _SHOWN_PROBLEMS
    return "; ".join(lines) + (f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else "") + "."


def field_path(loc: tuple) -> str:
    """('canvas', 'value_propositions', 0, 'name') -> 'canvas.value_propositions[0].name'."""
    path = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself", the last part named it already
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "the document"


def json_kind(value: object) -> str:
    """What a JSON value is, in the words of the format: an object, a list, a text, a number..."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


_EXPECTED = {"string_type": "a text", "int_type": "a whole number", "int_from_float": "a whole number",
             "model_type": "an object", "model_attributes_type": "an object", "list_type": "a list",
             "dict_type": "an object", "bool_type": "true or false", "float_type": "a number"}


def _why(problem: dict) -> str:
    kind, value, ctx = problem["type"], problem.get("input"), problem.get("ctx") or {}
    if kind == "extra_forbidden":
        return "is not a field of this format (unknown fields are refused, not ignored)"
    if kind == "missing":
        return "is missing"
    if kind in _EXPECTED:
        shown = "" if isinstance(value, (dict, list)) else f" ({_short(value)})"
        return f"must be {_EXPECTED[kind]}, not {json_kind(value)}{shown}"
    if kind == "literal_error":  # a choice: pydantic's message lists the allowed values
        return f"{_short(value)} is not allowed: {problem['msg'].replace('Input should be', 'use')}"
    if kind == "string_too_short":
        return "is empty"
    if kind == "string_too_long":
        return f"is {len(value):,} characters long; the limit is {ctx['max_length']:,}"
    if kind == "too_long":
        return f"has {len(value):,} items; the limit is {ctx['max_length']:,}"
    if kind == "too_short":
        return f"has {len(value):,} items; it needs {ctx['min_length']:,}"
    return problem["msg"][:1].lower() + problem["msg"][1:]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse_constant(name: str, what: str) -> None:
    raise SchemaError(f"{what} holds {name}, which is not a number JSON allows; write a finite number.")
