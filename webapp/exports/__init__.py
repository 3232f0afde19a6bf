from flask import Blueprint

#: the export center: my exports, one export's progress, its download (/exports/...)
bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")
#: starting a town's export: under /t/<town>/ so the town is entered (and isolated) first
town_bp = Blueprint("town_exports", __name__, url_prefix="/t/<town>/exports", template_folder="templates")
#: starting a committee's export: for the committee's members only
committee_bp = Blueprint("committee_exports", __name__, url_prefix="/c/<committee>/exports",
                         template_folder="templates")
