"""Community translation of the interface in the browser.

Site admins name translators per language; anyone signed in suggests a translation or a
correction for an interface message; translators approve, reject or save directly. The
approved text is stored in the database and layered over the compiled catalogs for every
app instance (``layering``), and can be exported as a ``.po`` file to bring back into
``translations/`` (``catalog.export_po``).
"""
