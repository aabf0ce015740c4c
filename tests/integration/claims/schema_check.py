"""Validation against docs/claim-schema.json.

Uses ``jsonschema`` when installed; otherwise a small checker for exactly the keywords the
schema uses (type, required, properties, additionalProperties, items, enum, const, pattern,
minimum, maxLength, $ref, allOf, if/then), so the test still means something without it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "docs" / "claim-schema.json"
_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def errors(instance: Any, schema: dict[str, Any] | None = None) -> list[str]:
    root = schema or load_schema()
    try:
        import jsonschema
    except ImportError:
        return list(_check(instance, root, root, "$"))
    validator = jsonschema.Draft202012Validator(root)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name in ("string", "object", "array", "null"):
        return isinstance(value, _TYPES[name])
    if name == "boolean":
        return isinstance(value, bool)
    raise AssertionError(f"schema uses unknown type {name}")


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str):  # type: ignore[no-untyped-def]
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        yield from _check(value, target, root, path)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            yield f"{path}: {value!r} is not {names}"
            return
    if "const" in schema and value != schema["const"]:
        yield f"{path}: != {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        yield f"{path}: {value!r} not in enum"
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield f"{path}: {value!r} does not match {schema['pattern']}"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield f"{path}: too long"
    if isinstance(value, int | float) and not isinstance(value, bool) and "minimum" in schema:
        if value < schema["minimum"]:
            yield f"{path}: below minimum"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield f"{path}: missing {key}"
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                yield from _check(item, props[key], root, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                yield f"{path}: unexpected {key}"
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            yield from _check(item, schema["items"], root, f"{path}[{i}]")
    for sub in schema.get("allOf", []):
        if "if" in sub:
            if not list(_check(value, sub["if"], root, path)):
                yield from _check(value, sub.get("then", {}), root, path)
        else:
            yield from _check(value, sub, root, path)
