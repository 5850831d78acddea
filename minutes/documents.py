"""The official form of the minutes as a PDF (Regulation on Correspondence B.E. 2526), drawn from a version's
stored content only (never from live data), through foundation.pdf.html_to_pdf (Laksaman, Thai text layer)."""

from __future__ import annotations

from django.template.loader import render_to_string

from foundation.pdf import html_to_pdf


def minutes_pdf(*, version, meeting) -> bytes:
    """The PDF of one version: heading, ครั้งที่, เมื่อ, ณ, ผู้มาประชุม, ผู้ไม่มาประชุม (with reasons),
    ผู้เข้าร่วมประชุม, เริ่มประชุมเวลา, the items with มติที่ประชุม and the votes, เลิกประชุมเวลา, the recorder and
    the checker; the version's number, state and content digest at the foot."""
    approval = getattr(version, "approval", None) if version.pk else None
    html = render_to_string("minutes/minutes_pdf.html", {
        "content": version.content, "version": version, "meeting": meeting, "approval": approval,
    })
    return html_to_pdf(html)
