"""The agreed provincial moral agenda (วาระคุณธรรมจังหวัด) as a document: a plain model and
one renderer per format (DOCX, HTML, Markdown, CSV), pure code with no web framework or database.

`document.py` holds the model, what is still missing, and the one layout every renderer walks,
so the DOCX handed to the governor and the printable page show the same content in one order.
"""
