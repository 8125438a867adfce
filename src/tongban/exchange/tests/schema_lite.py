"""A small JSON Schema (2020-12) checker for the keywords our push schema uses — ``jsonschema``
is not installed. Supports: $ref (local), allOf, oneOf, type (incl. lists), const, enum,
required, properties, additionalProperties (bool or schema), items, maxItems, minimum, pattern,
format date-time. Returns the list of errors (empty = valid)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "push-batch.v1.json"

TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def load() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[name])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> list[str]:
    errs: list[str] = []
    if "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        errs += validate(value, node, root, path)
    for sub in schema.get("allOf", []):
        errs += validate(value, sub, root, path)
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not validate(value, s, root, path)]
        if len(passing) != 1:
            errs.append(f"{path}: matches {len(passing)} of oneOf")
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            return [*errs, f"{path}: {value!r} is not {names}"]
    if "const" in schema and value != schema["const"]:
        errs.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{path}: {value!r} !~ {schema['pattern']}")
        if schema.get("format") == "date-time":
            try:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    errs.append(f"{path}: {value!r} has no offset")
            except ValueError:
                errs.append(f"{path}: {value!r} is not a date-time")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and "minimum" in schema and value < schema["minimum"]:
        errs.append(f"{path}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errs.append(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, sub in props.items():
            if key in value:
                errs += validate(value[key], sub, root, f"{path}.{key}")
        extra = schema.get("additionalProperties", True)
        for key in value:
            if key in props:
                continue
            if extra is False:
                errs.append(f"{path}: unexpected {key}")
            elif isinstance(extra, dict):
                errs += validate(value[key], extra, root, f"{path}.{key}")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errs += validate(item, schema["items"], root, f"{path}[{i}]")
    return errs


def check(body: Any) -> list[str]:
    root = load()
    return validate(body, root, root)
