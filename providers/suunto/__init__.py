"""Suunto Cloud API, SuuntoPlus Guides: the converter (convert.py, text.py) and the guide's ZIP
(archive.py) (providers.md, "Suunto"; suunto-research.md)."""
