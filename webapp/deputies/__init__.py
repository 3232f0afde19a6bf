from flask import Blueprint

bp = Blueprint("deputies", __name__, url_prefix="/t/<town>/deputies", template_folder="templates")
