#!/usr/bin/env python3
"""Writes openapi-examples.json beside this script from Docs/openapi.yaml.

The SDK's tests decode every example of the contract with the SDK's own decoding path, and check that what the SDK
encodes uses only the properties the contract declares. Swift has no YAML reader, so the examples are extracted
here, once, into JSON. Run it after changing an example or a schema in Docs/openapi.yaml:

    python3 Tests/AutoGitClientTests/Fixtures/openapi-examples.py

(needs PyYAML). The operations themselves (paths, methods, parameters) are read from the YAML by the tests at
run time, so they never go stale.
"""
import datetime
import json
import pathlib

import yaml

here = pathlib.Path(__file__).resolve().parent
spec = yaml.safe_load((here.parents[2] / "Docs" / "openapi.yaml").read_text())
schemas = spec["components"]["schemas"]


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def rfc3339(value):
    """YAML reads unquoted timestamps as datetimes; the wire has RFC 3339 strings in UTC."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        if value.microsecond:
            text += f".{value.microsecond // 1000:03d}"
        return text + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def properties(schema):
    """Every property name of an object schema, through allOf, with the required ones."""
    schema = resolve(schema)
    names, required = set(), set()
    for part in schema.get("allOf", []):
        more, more_required = properties(part)
        names |= more
        required |= more_required
    names |= set(schema.get("properties", {}))
    required |= set(schema.get("required", []))
    return names, required


out = {"schemas": {}, "responses": {}}
for name, schema in sorted(schemas.items()):
    names, required = properties(schema)
    entry = {"properties": sorted(names), "required": sorted(required)}
    entry["additional_properties"] = bool(schema.get("additionalProperties", False))
    for part in schema.get("allOf", []):
        items = part.get("properties", {}).get("items", {}).get("items", {})
        if "$ref" in items:
            entry["page_of"] = items["$ref"].split("/")[-1]
    if "example" in schema:
        entry["example"] = schema["example"]
    elif "examples" in schema:
        entry["example"] = schema["examples"][0]
    out["schemas"][name] = entry

for name, response in sorted(spec["components"].get("responses", {}).items()):
    for content_type, content in (response.get("content") or {}).items():
        if "example" in content:
            out["responses"][f"{name} {content_type}"] = content["example"]

for path, item in spec["paths"].items():
    for method, operation in item.items():
        if not isinstance(operation, dict) or "responses" not in operation:
            continue
        for status, response in operation["responses"].items():
            if "$ref" in response:
                continue  # a shared response, written once above
            for content_type, content in (response.get("content") or {}).items():
                if "example" in content:
                    out["responses"][f"{method.upper()} {path} {status} {content_type}"] = content["example"]

(here / "openapi-examples.json").write_text(json.dumps(out, indent=1, sort_keys=True, default=rfc3339) + "\n")
