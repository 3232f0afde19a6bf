"""QR codes for 二维码亮身份 (pure Python: SVG from qrcode, PNG through pypng)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.pure
import qrcode.image.svg


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_code_svg(data: str) -> bytes:
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string()


def qr_code_png(data: str) -> bytes:
    out = io.BytesIO()
    _code(data).make_image(image_factory=qrcode.image.pure.PyPNGImage).save(out)
    return out.getvalue()
