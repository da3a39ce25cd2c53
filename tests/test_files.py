"""Atomic writes: the target is whole or untouched, and gets normal permissions."""

import os
import stat

import pytest

from dxdesk.files import atomic_path, write_bytes_atomic, write_text_atomic


def test_write_and_replace(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    write_text_atomic(target, "一回目")
    write_text_atomic(target, "二回目")
    assert target.read_text(encoding="utf-8") == "二回目"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]  # no temporary files left


def test_failure_leaves_the_old_file(tmp_path):
    target = tmp_path / "a.bin"
    write_bytes_atomic(target, b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half-writ")
        raise RuntimeError("crash while writing")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_permissions_follow_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "kit.xlsx"
        write_bytes_atomic(target, b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
