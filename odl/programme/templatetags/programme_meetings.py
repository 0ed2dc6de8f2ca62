"""``{% etd_attendance etd as attendance %}``: what ``programme/etd/_meetings.html`` shows of an ETD.

The ETD page includes that template with ``etd`` in its context; the tag computes the rest, so the page's
view needs to know nothing about meetings.
"""

from __future__ import annotations

from django import template

from odl.programme.meetings import EtdAttendance
from odl.programme.meetings import etd_attendance as compute
from odl.programme.models import Etd

register = template.Library()


@register.simple_tag
def etd_attendance(etd: Etd) -> EtdAttendance:
    return compute(etd)
