"""Towns onboard themselves: invitation codes, templates, the spare-schema pool, the signup
form and the first-run guide (issue #9)."""

from flask import Blueprint

bp = Blueprint("onboarding", __name__, template_folder="templates")
