"""Treatments as data: the steps a dialer takes per call result, checked and stored as JSON.

A dialing-profile setting (`treatments`, docs/contract.md §5) overridable as a whole list at
template, group and list level. Each step: `call_result` (name or code), `sequence`, `action`
(`TREATMENT_ACTIONS`), `interval_minutes`, `increment_minutes`, `attempts`, `time` ("HH:MM"
local), `days`. Stored canonical (every key, results as codes, sorted) so an unchanged list
compares equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from cxpipeline.codes import CallResult

#: Treatment actions (docs/contract.md §5); the lifecycle transform reads the same names.
TREATMENT_ACTIONS: tuple[str, ...] = (
    "retry_in",
    "retry_at",
    "next_in_chain",
    "next_in_chain_after",
    "next_in_chain_at",
    "update_chain",
    "cancel_record",
    "no_treatment",
)
_STEP_KEYS: tuple[str, ...] = ("call_result", "sequence", "action", "interval_minutes")
_STEP_KEYS += ("increment_minutes", "attempts", "time", "days")
_RESULT_NAMES = {re.sub(r"[^a-z0-9]", "", r.name.lower()): int(r) for r in CallResult}
# Short names people write for the two results whose enum names are long.
_RESULT_NAMES |= {"fax": int(CallResult.FAX_DETECTED), "sit": int(CallResult.SIT_DETECTED)}
#: Results with a fixed outcome: an answer finishes the chain, Do Not Call makes it No Call.
_FIXED_RESULTS = (int(CallResult.ANSWER), int(CallResult.DO_NOT_CALL))


def _step_int(i: int, step: Mapping[str, Any], key: str, low: int, default: int | None) -> Any:
    value = step.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"treatment #{i}: {key} must be an integer >= {low}, not {value!r}")
    return value


def _step_result(i: int, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in set(CallResult):
        code = int(value)
    elif isinstance(value, str) and re.sub(r"[^a-z0-9]", "", value.lower()) in _RESULT_NAMES:
        code = _RESULT_NAMES[re.sub(r"[^a-z0-9]", "", value.lower())]
    else:
        raise ValueError(f"treatment #{i}: unknown call_result {value!r}")
    if code in _FIXED_RESULTS:
        raise ValueError(f"treatment #{i}: call_result {value!r} has a fixed outcome")
    return code


def _check_step(i: int, step: object) -> dict[str, Any]:
    """Check one treatment step and return it with every key filled."""
    if not isinstance(step, Mapping):
        raise ValueError(f"treatment #{i} must be a mapping")
    unknown = sorted(set(step) - set(_STEP_KEYS))
    if unknown:
        raise ValueError(f"treatment #{i}: unknown key {unknown[0]!r}")
    action = step.get("action")
    if action not in TREATMENT_ACTIONS:
        raise ValueError(f"treatment #{i}: action {action!r} is not one of {TREATMENT_ACTIONS}")
    needs_interval = action in ("retry_in", "next_in_chain_after")
    needs_time = action in ("retry_at", "next_in_chain_at")
    out = {
        "call_result": _step_result(i, step.get("call_result")),
        "sequence": _step_int(i, step, "sequence", 1, None),
        "action": action,
        "interval_minutes": _step_int(i, step, "interval_minutes", 0, None),
        "increment_minutes": _step_int(i, step, "increment_minutes", 0, 0),
        "attempts": _step_int(i, step, "attempts", 1, 1),
        "time": step.get("time"),
        "days": _step_int(i, step, "days", 0, 0),
    }
    if out["sequence"] is None:
        raise ValueError(f"treatment #{i}: sequence is required")
    if needs_interval and out["interval_minutes"] is None:
        raise ValueError(f"treatment #{i}: {action} needs interval_minutes")
    if needs_time:
        text = str(out["time"] or "")
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", text):
            raise ValueError(f"treatment #{i}: {action} needs time 'HH:MM', not {out['time']!r}")
        out["time"] = f"{int(text.split(':')[0]):02d}:{text.split(':')[1]}"
    return out


def check_treatments(value: object) -> object:
    """Check a treatments list and store it as canonical JSON (sorted by result and sequence)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list):
        raise ValueError("must be a list of treatment steps")
    steps = [_check_step(i, step) for i, step in enumerate(value, start=1)]
    seen: set[tuple[int, int]] = set()
    for i, step in enumerate(steps, start=1):
        key = (step["call_result"], step["sequence"])
        if key in seen:
            raise ValueError(f"treatment #{i}: call_result {key[0]} sequence {key[1]} twice")
        seen.add(key)
    steps.sort(key=lambda s: (s["call_result"], s["sequence"]))
    return json.dumps(steps, separators=(",", ":"))


def _step(result: str, seq: int, action: str, **kw: object) -> dict[str, object]:
    return {"call_result": result, "sequence": seq, "action": action, **kw}


#: The built-in treatments: retry what may answer later, move on from dead or wrong numbers.
DEFAULT_TREATMENTS: list[dict[str, object]] = [
    _step("busy", 1, "retry_in", interval_minutes=30, increment_minutes=5, attempts=3),
    _step("busy", 2, "next_in_chain"),
    _step("no_answer", 1, "retry_in", interval_minutes=240, attempts=2),
    _step("no_answer", 2, "next_in_chain_after", interval_minutes=60),
    _step("answering_machine", 1, "retry_at", time="10:00", days=1, attempts=1),
    _step("answering_machine", 2, "next_in_chain"),
    _step("fax_detected", 1, "next_in_chain"),
    _step("abandoned", 1, "retry_in", interval_minutes=60, attempts=1),
    _step("abandoned", 2, "next_in_chain"),
    _step("dropped", 1, "retry_in", interval_minutes=15, attempts=2),
    _step("dropped", 2, "next_in_chain"),
    _step("all_trunks_busy", 1, "retry_in", interval_minutes=5, increment_minutes=5, attempts=3),
    *(_step(r, 1, "next_in_chain") for r in ("sit_detected", "sit_invalid_num", "sit_vacant")),
    *(_step(r, 1, "next_in_chain") for r in ("sit_oper_intercept", "sit_unknown")),
    _step("sit_no_circuit", 1, "retry_in", interval_minutes=120, attempts=1),
    _step("sit_reorder", 1, "retry_in", interval_minutes=120, attempts=1),
    _step("wrong_party", 1, "next_in_chain"),
    _step("wrong_number", 1, "next_in_chain"),
    _step("agent_callback_error", 1, "retry_in", interval_minutes=10, attempts=2),
    _step("agent_callback_error", 2, "next_in_chain"),
]


def treatment_rows(text: str | None) -> list[dict[str, Any]]:
    """Read stored treatments JSON into step rows with `at_minute` (local minute of `time`)."""
    rows = []
    for step in json.loads(text or "[]"):
        hours, _, minutes = str(step.get("time") or "").partition(":")
        at_minute = int(hours) * 60 + int(minutes) if minutes else None
        fields = {k: v for k, v in step.items() if k != "time"}
        rows.append(fields | {"at_minute": at_minute})
    return rows


def readable_steps(text: object) -> list[dict[str, Any]]:
    """Turn stored treatments JSON into rows a person reads: results by name, unset blank."""
    rows = []
    for step in json.loads(str(text or "[]")):
        code = int(step["call_result"])
        name = CallResult(code).name.lower() if code in CallResult._value2member_map_ else "?"
        rows.append(
            {
                "call_result": f"{code} {name}",
                "step": step.get("sequence"),
                "action": step.get("action"),
                "interval_min": step.get("interval_minutes"),
                "increment_min": step.get("increment_minutes") or None,
                "attempts": step.get("attempts"),
                "at": step.get("time"),
                "days": step.get("days") or None,
            }
        )
    return rows
