"""Inbox moves: a claim is a rename, a dead run's files come back, outcomes are filed."""

from cxpipeline.io import inbox_files


def test_claim_settle_and_recover(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text("x", encoding="utf-8")
    (inbox / "a.csv.yaml").write_text("kind: results\n", encoding="utf-8")
    (inbox / "b.csv").write_text("y", encoding="utf-8")
    (inbox / "inbox.yaml").write_text("{}", encoding="utf-8")
    assert [p.name for p in inbox_files.waiting_files(inbox)] == ["a.csv", "b.csv"]
    claimed = inbox_files.claim(inbox, "run1", inbox / "a.csv")
    assert claimed.parent.name == "run1" and (claimed.parent / "a.csv.yaml").exists()
    assert [p.name for p in inbox_files.waiting_files(inbox)] == ["b.csv"]
    # a run that died: its files come back to the inbox
    inbox_files.recover(inbox)
    assert [p.name for p in inbox_files.waiting_files(inbox)] == ["a.csv", "b.csv"]
    done = inbox_files.settle(inbox_files.claim(inbox, "run2", inbox / "a.csv"), inbox, reason=None)
    assert done.parent.parent.name == "processed" and (done.parent / "a.csv.yaml").exists()
    bad = inbox_files.settle(inbox_files.claim(inbox, "run2", inbox / "b.csv"), inbox, reason="no")
    assert bad.parent.parent.name == "failed"
    assert (bad.parent / "b.csv.reason.txt").read_text(encoding="utf-8") == "no\n"
    inbox_files.release(inbox, "run2")
    assert not (inbox / ".work" / "run2").exists()
