from flask import Blueprint

bp = Blueprint("opinions", __name__, url_prefix="/t/<town>/opinions", template_folder="templates")
