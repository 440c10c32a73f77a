"""Schemathesis hooks of the platform's fuzz runs (loaded through SCHEMATHESIS_HOOKS).

e2e/fuzz/fuzzRun.ts starts `st run` with this module and reads what it writes. It adds:

- `problem_details` (a check): every 4xx answer of a REST API is RFC 9457 problem details
  (`application/problem+json`, a JSON object whose `status` is the answer's status and whose
  `code` is one of the platform's catalogue, packages/runtime-kit/src/problem.ts). On
  `/graphql` the convention is GraphQL's own (docs/security.md, "Fuzzing"): JSON with a
  non-empty `errors` list, each error a `message` and an `extensions.code` of the same
  catalogue, no `data` on a 4xx, and never `INTERNAL` (a resolver's crash is a server error
  even when GraphQL answers it with 200 and partial data).
- A unique `X-Request-Id` on every request whose generated id is valid (or absent), so that
  each outbox row, whose `correlation_id` is the request id, names the one exchange behind it.
- Ids of seeded aggregates in place of about half of the generated UUIDs (path parameters and
  the `orderId` / `dispatchId` of bodies), so that commands reach aggregates that exist.
- One JSON line per exchange in FUZZ_EXCHANGE_LOG: method, path, status, content type, the
  request id the service used, the Idempotency-Key, whether schemathesis meant the case to be
  invalid, and the start of the answer.

Environment: FUZZ_EXCHANGE_LOG (file), FUZZ_PROBLEM_CODES (JSON {code: status}),
FUZZ_SEEDS (JSON {"orderId": [...], "dispatchId": [...], "deliveryId": [...]}), FUZZ_RUN (a
short label that prefixes request ids).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import threading

import schemathesis

PROBLEM_CODES: dict[str, int] = json.loads(os.environ.get("FUZZ_PROBLEM_CODES", "{}"))
SEEDS: dict[str, list[str]] = json.loads(os.environ.get("FUZZ_SEEDS", "{}"))
RUN = os.environ.get("FUZZ_RUN", "fz")
LOG_PATH = os.environ.get("FUZZ_EXCHANGE_LOG")

VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_lock = threading.Lock()
_counter = itertools.count(1)
_log = open(LOG_PATH, "a", encoding="utf-8") if LOG_PATH else None  # noqa: SIM115 (open for the process' life)


def _is_graphql(case) -> bool:
    return case.operation.path == "/graphql" or type(case.operation.schema).__name__.startswith("GraphQL")


def _header(headers, name: str):
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _seeded(field: str, value):
    """A seeded id in place of about half of the valid UUIDs (chosen by the value's hash: replays agree)."""
    ids = SEEDS.get(field)
    if not ids or not isinstance(value, str) or not UUID.match(value):
        return value
    digest = hashlib.sha256(value.encode()).digest()
    if digest[0] % 2 == 1:
        return value
    return ids[digest[1] % len(ids)]


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if path_parameters:
        for name, value in list(path_parameters.items()):
            path_parameters[name] = _seeded(name, value)
    return path_parameters


@schemathesis.hook
def map_body(context, body):
    if isinstance(body, dict):
        for name in ("orderId", "dispatchId"):
            if name in body:
                body[name] = _seeded(name, body[name])
    return body


@schemathesis.hook
def before_call(context, case, kwargs):
    current = _header(case.headers, "X-Request-Id")
    if current is None or (isinstance(current, str) and VALID_REQUEST_ID.match(current)):
        with _lock:
            number = next(_counter)
        headers = dict(case.headers or {})
        for key in [k for k in headers if k.lower() == "x-request-id"]:
            del headers[key]
        headers["X-Request-Id"] = f"{RUN}-{os.getpid()}-{number}"
        case.headers = headers


def _negative(case) -> bool:
    meta = getattr(case, "meta", None)
    try:
        return bool(meta is not None and meta.generation.mode.is_negative)
    except AttributeError:
        return False


@schemathesis.hook
def after_call(context, case, response):
    if _log is None:
        return
    request = response.request
    text = response.text if isinstance(response.text, str) else ""
    line = {
        "operation": case.operation.label,
        "method": request.method,
        "url": request.url,
        "status": response.status_code,
        "contentType": _header(response.headers, "content-type"),
        "requestId": _header(response.headers, "x-request-id"),
        "idempotencyKey": _header(request.headers, "idempotency-key"),
        "negative": _negative(case),
        "body": text[:2000],
    }
    if isinstance(line["contentType"], list):
        line["contentType"] = line["contentType"][0]
    if isinstance(line["requestId"], list):
        line["requestId"] = line["requestId"][0]
    with _lock:
        _log.write(json.dumps(line) + "\n")
        _log.flush()


def _json(response):
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return None


def _graphql_errors_ok(body, status: int) -> None:
    if not isinstance(body, dict):
        raise AssertionError(f"GraphQL answer {status} is not a JSON object")
    errors = body.get("errors")
    if status >= 400:
        if "data" in body and body["data"] is not None:
            raise AssertionError(f"GraphQL {status} answer carries data")
        if not isinstance(errors, list) or not errors:
            raise AssertionError(f"GraphQL {status} answer without an `errors` list")
    if errors is None:
        return
    if not isinstance(errors, list):
        raise AssertionError("GraphQL `errors` is not a list")
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            raise AssertionError(f"GraphQL error without a message: {error!r}")
        code = (error.get("extensions") or {}).get("code")
        if code not in PROBLEM_CODES:
            raise AssertionError(f"GraphQL error code {code!r} is not in the platform's catalogue")
        if code == "INTERNAL":
            raise AssertionError(f"GraphQL error INTERNAL (a resolver failed): {error.get('message')}")


@schemathesis.check
def problem_details(ctx, response, case):
    """4xx answers are problem+json (REST) or GraphQL errors with catalogue codes (/graphql)."""
    status = response.status_code
    content_type = (_header(response.headers, "content-type") or "")
    if isinstance(content_type, list):
        content_type = content_type[0]
    if _is_graphql(case):
        if status >= 500:
            raise AssertionError(f"GraphQL answered {status}")
        if status >= 400 or "json" in content_type:
            if "json" not in content_type:
                raise AssertionError(f"GraphQL answer {status} with content type {content_type!r}")
            _graphql_errors_ok(_json(response), status)
        return None
    if not 400 <= status < 500:
        return None
    if not content_type.startswith("application/problem+json"):
        raise AssertionError(f"{status} answered with content type {content_type!r}, not application/problem+json")
    body = _json(response)
    if not isinstance(body, dict):
        raise AssertionError(f"{status} problem body is not a JSON object")
    for field in ("type", "title", "status", "code"):
        if field not in body:
            raise AssertionError(f"{status} problem body lacks `{field}`")
    if body["status"] != status:
        raise AssertionError(f"problem says status {body['status']!r}, the answer is {status}")
    if PROBLEM_CODES and PROBLEM_CODES.get(body["code"]) != status:
        raise AssertionError(f"problem code {body['code']!r} is not the catalogue's code for {status}")
    return None
