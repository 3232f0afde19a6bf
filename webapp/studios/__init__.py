from flask import Blueprint

bp = Blueprint("studios", __name__, url_prefix="/t/<town>/studios", template_folder="templates")
