from cxpipeline.codes import (
    RESULT_GROUPS,
    CallResult,
    ContactInfoType,
    RecordStatus,
    RecordType,
    ResultGroup,
    result_group,
    result_group_table,
)


def test_enumerations_match_the_dialer_codes():
    assert RecordType.NO_CALL == 7 and RecordType.GENERAL == 2
    assert RecordStatus.CHAIN_UPDATED == 7 and RecordStatus.READY == 1
    assert ContactInfoType.BUSINESS_WITH_EXTENSION == 3 and ContactInfoType.E_MAIL == 10
    assert [int(c) for c in CallResult] == list(range(54))


def test_labels_read_like_the_dashboard():
    assert CallResult.ANSWERING_MACHINE.label == "Answering Machine"
    assert CallResult.SIT_INVALID_NUM.label == "SIT Invalid Num"
    assert CallResult.NU_TONE.label == "NU Tone"


def test_result_groups_follow_domain_and_do_not_overlap():
    assert result_group(33) is ResultGroup.LIVE_CONNECT
    assert result_group(9) is ResultGroup.MACHINE
    assert {int(c) for c in RESULT_GROUPS[ResultGroup.NO_CONTACT]} == {
        6,
        7,
        10,
        26,
        27,
        32,
        35,
        36,
        37,
        38,
    }
    assert {int(c) for c in RESULT_GROUPS[ResultGroup.INVALID_NUMBER]} == {
        8,
        11,
        12,
        13,
        14,
        15,
        16,
        53,
    }
    assert {int(c) for c in RESULT_GROUPS[ResultGroup.SYSTEM_ERROR]} == {3, 4, *range(41, 49)}
    members = [c for group in RESULT_GROUPS.values() for c in group]
    assert len(members) == len(set(members))
    assert result_group(28) is ResultGroup.OTHER


def test_lookup_table_covers_every_code_once():
    table = result_group_table()
    assert len(table) == 54
    assert {code for code, _, _ in table} == set(range(54))
