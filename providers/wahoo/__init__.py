"""Wahoo Cloud API: the converter (convert.py) and the client (api.py)."""
