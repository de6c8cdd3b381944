"""Placeholder blueprint 'proposals' (being built)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, template_folder="templates")
