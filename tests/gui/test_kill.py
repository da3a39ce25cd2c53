"""A killed application loses at most the field being typed: start the real application as a process,
type into it, SIGKILL it, reopen the database and find everything that was committed."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from dxdesk.store.database import open_database
from dxdesk.store.demo import create_demo_database
from dxdesk.store.models import IndicatorValue, Measure, MeasureYear, SheetText

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL")]

ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_after_input_loses_nothing_committed(tmp_path):
    path = tmp_path / "section.sqlite"
    create_demo_database(path).dispose()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DXDESK_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "gui" / "kill_driver.py"), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=env,
    )
    output = []
    deadline = time.monotonic() + 90
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if line.strip() == "READY":
                break
            if time.monotonic() > deadline:
                break
        assert output and output[-1].strip() == "READY", "".join(output[-30:])
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    db = open_database(path)  # the killed process left a WAL behind; SQLite recovers it
    try:
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        with db.session() as s:
            m = s.scalar(select(Measure).where(Measure.code == "多様化1-1-1"))
            value = s.scalar(
                select(IndicatorValue).where(
                    IndicatorValue.indicator_id == m.indicators[0].id, IndicatorValue.fiscal_year == 2026
                )
            )
            assert value.actual == "7.5"
            my = s.scalar(
                select(MeasureYear).where(MeasureYear.measure_id == m.id, MeasureYear.fiscal_year == 2026)
            )
            texts = {
                t.field: t.text
                for t in s.scalars(select(SheetText).where(SheetText.measure_year_id == my.id))
            }
            assert texts["result"] == "キャッシュレス決済の対象税目を拡大した。"
            # the field being typed when the process died may be lost, but nothing else is
            assert texts.get("outcome") in (None, "入力途中の文章")
    finally:
        db.dispose()
