"""The admin's BE years (`{% load admin_thai %}`, templates/admin/): see portal/admin_site.py."""

from django import template

from ..admin_site import be_years

register = template.Library()
register.filter("be_years", be_years)
