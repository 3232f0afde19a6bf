from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/t/<town>/activities", template_folder="templates")
