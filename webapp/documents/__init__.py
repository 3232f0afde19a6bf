"""Printable documents: the deputy's file and the town's scorecard as PDF (with a CJK font
embedded and the charts drawn as vectors), the station's annual summary as DOCX. Renderers
only: they write to a binary stream; the export center runs them in jobs and streams them."""
