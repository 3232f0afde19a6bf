from flask import Blueprint

bp = Blueprint("receptions", __name__, url_prefix="/t/<town>/receptions", template_folder="templates")
