"""Deputy evaluation (考评). The blueprint lives here; pages in views.py, the API in api.py."""

from flask import Blueprint

bp = Blueprint("evaluations", __name__, url_prefix="/t/<town>/evaluations", template_folder="templates")
