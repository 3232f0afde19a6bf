from flask import Blueprint

bp = Blueprint("station", __name__, url_prefix="/t/<town>/station", template_folder="templates")
