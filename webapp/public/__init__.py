from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/p/<town>", template_folder="templates")
