"""Pages of joining: the clerk's files (.ics, join sheet, feed), the join page, test calls, the control centre and
the attendance report. Views parse, call a service or a selector, and render; the rules live in those.

One module a side: `clerk` (the clerk's site page and what it serves or posts), `call` (the join page and what a
pass holder uses, test calls), `control` (the control centre and attendance); `_common` holds the roles and the
headers they share. The names the urls, the API, tests and benchmarks use are re-exported here.
"""

from ._common import CONTROL_ROLES, JOINING_ROLES
from .call import (
    CALL_PERMISSIONS,
    QR_IMAGE_MAX_AGE,
    JoinPageView,
    JoinPassQrView,
    PassDocumentsView,
    PassModerateView,
    PassTestCallStartView,
    ShortCodeView,
    TestCallPageView,
    TestCallResultView,
)
from .clerk import (
    FeedRenewView,
    JoinPassRenewView,
    JoinSheetPdfView,
    JoinSheetView,
    MeetingIcsView,
    SiteMixin,
    SitePageView,
    SiteTestCallStartView,
    calendar_feed,
    site_page_context,
)
from .control import (
    BOARD_REFRESH_SECONDS,
    AttendanceExportView,
    AttendanceMixin,
    AttendanceReportView,
    ControlBoardView,
    ControlCentreView,
    board_context,
    board_refresh_seconds,
)
from .pass_files import PassIcsView, PassSheetPdfView, PassSheetView, pass_sheet_context

__all__ = [
    "BOARD_REFRESH_SECONDS",
    "CALL_PERMISSIONS",
    "CONTROL_ROLES",
    "JOINING_ROLES",
    "QR_IMAGE_MAX_AGE",
    "AttendanceExportView",
    "AttendanceMixin",
    "AttendanceReportView",
    "ControlBoardView",
    "ControlCentreView",
    "FeedRenewView",
    "JoinPageView",
    "JoinPassQrView",
    "JoinPassRenewView",
    "JoinSheetPdfView",
    "JoinSheetView",
    "MeetingIcsView",
    "PassDocumentsView",
    "PassIcsView",
    "PassModerateView",
    "PassSheetPdfView",
    "PassSheetView",
    "PassTestCallStartView",
    "ShortCodeView",
    "SiteMixin",
    "SitePageView",
    "SiteTestCallStartView",
    "TestCallPageView",
    "TestCallResultView",
    "board_context",
    "board_refresh_seconds",
    "calendar_feed",
    "pass_sheet_context",
    "site_page_context",
]
