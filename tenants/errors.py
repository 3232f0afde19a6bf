"""Errors a person can cause, each with a message in their language and the field at fault.

Messages are lazy (`lazy_gettext` with their values), so they are rendered in the language
of whoever reads them, not of whoever raised them."""

from __future__ import annotations

class TenantError(Exception):
    code = "invalid"

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class DuplicateTown(TenantError):
    code = "duplicate_town"


class InvalidSlug(TenantError):
    code = "invalid_slug"


class InvalidRegion(TenantError):
    code = "invalid_region"


class UnknownTemplate(TenantError):
    code = "unknown_template"


class InvalidTemplate(TenantError):
    code = "invalid_template"

    def __init__(self, problems: list):
        super().__init__(problems[0] if problems else "", field="template")
        self.problems = problems
