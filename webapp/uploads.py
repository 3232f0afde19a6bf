"""Uploaded files: accepted only when they are what their name says and not too large."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MAX_FILE_BYTES = 10 * 1024 * 1024
#: what a file must start with to be what its name says
FILE_TYPES = {
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"), ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"), ".pdf": (b"%PDF-", "application/pdf"),
    ".docx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
PHOTOS = (".jpg", ".jpeg", ".png")


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check_upload(filename: str, content: bytes, *, kinds: tuple[str, ...] | None = None,
                 max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's MIME type, or UploadRefused with a message for the person who sent it."""
    if len(content) > max_bytes:
        raise UploadRefused(_l("A file may be at most %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FILE_TYPES or (kinds is not None and extension not in kinds):
        if kinds == PHOTOS:
            raise UploadRefused(_l("Accepted are photos (JPEG, PNG)."))
        raise UploadRefused(_l("Accepted are photos (JPEG, PNG), PDF, Word (.docx) and Excel (.xlsx) files."))
    magic, mimetype = FILE_TYPES[extension]
    if not content.startswith(magic):
        raise UploadRefused(_l("The file is not what its name says (%(name)s).", name=filename))
    return mimetype
