from flask import Blueprint

bp = Blueprint("committees", __name__, url_prefix="/c/<committee>", template_folder="templates")
