"""The organisation report lists plan-wide findings too: the demo's RPA measure split across two sections."""

import subprocess


def test_report_lists_the_split_measure(tmp_path, demo_db):
    from dxdesk.report.documents import PrintJob, make_pdf

    out = tmp_path / "report.pdf"
    make_pdf(demo_db, out, PrintJob(kind="report", fiscal_year=2026))
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "同じ内容のようです" in text
    assert "保福2-b-2-2" in text and "業務効率化2-a-1-1" in text
