from flask import Blueprint

bp = Blueprint("towns", __name__, url_prefix="/t/<town>", template_folder="templates")
