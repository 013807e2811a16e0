"""The agreed provincial moral agenda (วาระคุณธรรมจังหวัด): what deliberation produces.

Drafting it (`drafting.py`, over the item basics in `items.py`), adopting it by consent
(`consent.py`), gathering it from the database (`gather.py`) into a plain model (`document.py`),
and one renderer per format (`render_docx.py`, `render_html.py`, `render_markdown.py`,
`render_csv.py`, `pdf.py`), with the JSON archive of the whole assembly (`archive.py`).

`document.py` holds the model, what is still missing, and the one layout every renderer walks,
so the DOCX handed to the governor and the printable page show the same content in one order;
it and the renderers are pure code with no web framework or database.
"""
