"""The dialer's enumerations (docs/domain.md §3) and the result groups used by statistics."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class RecordType(IntEnum):
    """How the dialer treats a record (docs/domain.md §3.1)."""

    NO_RECORD_TYPE = 0
    UNKNOWN = 1
    GENERAL = 2
    CAMPAIGN_RESCHEDULED = 3
    PERSONAL_RESCHEDULED = 4
    PERSONAL_CALLBACK = 5
    CAMPAIGN_CALLBACK = 6
    NO_CALL = 7


class RecordStatus(IntEnum):
    """Where a record stands in the current pass (docs/domain.md §3.2)."""

    NO_RECORD_STATUS = 0
    READY = 1
    RETRIEVED = 2
    UPDATED = 3
    STALE = 4
    CANCELLED = 5
    AGENT_ERROR = 6
    CHAIN_UPDATED = 7
    MISSED_CALLBACK = 8
    CHAIN_READY = 9


class CallResult(IntEnum):
    """Result of the last call attempt (docs/domain.md §3.3)."""

    OK = 0
    TRANSFERRED = 1
    CONFERENCED = 2
    GENERAL_ERROR = 3
    SYSTEM_ERROR = 4
    REMOTE_RELEASE = 5
    BUSY = 6
    NO_ANSWER = 7
    SIT_DETECTED = 8
    ANSWERING_MACHINE = 9
    ALL_TRUNKS_BUSY = 10
    SIT_INVALID_NUM = 11
    SIT_VACANT = 12
    SIT_OPER_INTERCEPT = 13
    SIT_UNKNOWN = 14
    SIT_NO_CIRCUIT = 15
    SIT_REORDER = 16
    FAX_DETECTED = 17
    QUEUE_FULL = 18
    CLEARED = 19
    OVERFLOWED = 20
    ABANDONED = 21
    REDIRECTED = 22
    FORWARDED = 23
    CONSULT = 24
    PICKED_UP = 25
    DROPPED = 26
    DROPPED_NO_ANSWER = 27
    UNKNOWN = 28
    COVERED = 29
    CONVERSE_ON = 30
    BRIDGED = 31
    SILENCE = 32
    ANSWER = 33
    NU_TONE = 34
    NO_DIAL_TONE = 35
    NO_PROGRESS = 36
    NO_RING_BACK = 37
    NO_ESTABLISHED = 38
    PAGER_DETECTED = 39
    WRONG_PARTY = 40
    DIAL_ERROR = 41
    CALL_DROP_ERROR = 42
    SWITCH_ERROR = 43
    NO_FREE_PORT_ERROR = 44
    TRANSFER_ERROR = 45
    STALE = 46
    AGENT_CALLBACK_ERROR = 47
    GROUP_CALLBACK_ERROR = 48
    DEAFENED = 49
    HELD = 50
    DO_NOT_CALL = 51
    CANCEL_RECORD = 52
    WRONG_NUMBER = 53

    @property
    def label(self) -> str:
        """The dialer's display name, e.g. 'Answering Machine'."""
        special = {"SIT_OPER_INTERCEPT": "SIT Oper Intercept", "NU_TONE": "NU Tone"}
        if self.name in special:
            return special[self.name]
        words = self.name.split("_")
        return " ".join(w if w == "SIT" else w.capitalize() for w in words)


class ContactInfoType(IntEnum):
    """Device type of a record's contact_info (docs/domain.md §3.4)."""

    NO_CONTACT_TYPE = 0
    HOME_PHONE = 1
    DIRECT_BUSINESS_PHONE = 2
    BUSINESS_WITH_EXTENSION = 3
    MOBILE = 4
    VACATION_PHONE = 5
    PAGER = 6
    MODEM = 7
    VOICE_MAIL = 8
    PIN_PAGER = 9
    E_MAIL = 10


class ResultGroup(StrEnum):
    """Groups of call results used by statistics (docs/domain.md §3.3, assumed)."""

    LIVE_CONNECT = "live_connect"
    MACHINE = "machine"
    FAX = "fax"
    NO_CONTACT = "no_contact"
    INVALID_NUMBER = "invalid_number"
    ABANDONED = "abandoned"
    FINAL_NEGATIVE = "final_negative"
    SYSTEM_ERROR = "system_error"
    OTHER = "other"


_R = CallResult
RESULT_GROUPS: dict[ResultGroup, frozenset[CallResult]] = {
    ResultGroup.LIVE_CONNECT: frozenset({_R.ANSWER}),
    ResultGroup.MACHINE: frozenset({_R.ANSWERING_MACHINE}),
    ResultGroup.FAX: frozenset({_R.FAX_DETECTED}),
    ResultGroup.NO_CONTACT: frozenset(
        {_R.BUSY, _R.NO_ANSWER, _R.ALL_TRUNKS_BUSY, _R.DROPPED, _R.DROPPED_NO_ANSWER, _R.SILENCE}
        | {_R(c) for c in range(35, 39)}
    ),
    ResultGroup.INVALID_NUMBER: frozenset(
        {_R.SIT_DETECTED, _R.WRONG_NUMBER} | {_R(c) for c in range(11, 17)}
    ),
    ResultGroup.ABANDONED: frozenset({_R.ABANDONED}),
    ResultGroup.FINAL_NEGATIVE: frozenset({_R.WRONG_PARTY, _R.DO_NOT_CALL, _R.CANCEL_RECORD}),
    ResultGroup.SYSTEM_ERROR: frozenset(
        {_R.GENERAL_ERROR, _R.SYSTEM_ERROR} | {_R(c) for c in range(41, 49)}
    ),
}


def result_group(code: int) -> ResultGroup:
    """Return the statistics group of a call result code."""
    for group, members in RESULT_GROUPS.items():
        if code in members:
            return group
    return ResultGroup.OTHER


def result_group_table() -> list[tuple[int, str, str]]:
    """Every call result as (code, label, group): the lookup joined by vectorised stages."""
    return [(int(r), r.label, result_group(r).value) for r in CallResult]


#: Default device type by recognised phone header (docs/contract.md §2).
PHONE_COLUMN_TYPES: dict[str, ContactInfoType] = {
    "home_phone": ContactInfoType.HOME_PHONE,
    "business_phone": ContactInfoType.DIRECT_BUSINESS_PHONE,
    "mobile_phone": ContactInfoType.MOBILE,
    "vacation_phone": ContactInfoType.VACATION_PHONE,
    "phone": ContactInfoType.HOME_PHONE,
    **{f"phone{i}": ContactInfoType.HOME_PHONE for i in range(1, 11)},
}

#: US Eastern/Central/... zone abbreviations written in the Genesys file export (tz_dbid).
ZONE_ABBREVIATIONS: dict[str, str] = {
    "America/New_York": "EST",
    "America/Detroit": "EST",
    "America/Indiana/Indianapolis": "EST",
    "America/Kentucky/Louisville": "EST",
    "America/Chicago": "CST",
    "America/Indiana/Knox": "CST",
    "America/Menominee": "CST",
    "America/North_Dakota/Center": "CST",
    "America/Denver": "MST",
    "America/Boise": "MST",
    "America/Phoenix": "MST",
    "America/Los_Angeles": "PST",
    "America/Anchorage": "AKST",
    "America/Juneau": "AKST",
    "America/Adak": "HST",
    "Pacific/Honolulu": "HST",
    "America/Puerto_Rico": "AST",
    "America/Halifax": "AST",
    "America/St_Johns": "NST",
    "America/Toronto": "EST",
    "America/Winnipeg": "CST",
    "America/Regina": "CST",
    "America/Edmonton": "MST",
    "America/Vancouver": "PST",
    "Pacific/Guam": "ChST",
}
