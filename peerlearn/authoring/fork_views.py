"""Placeholder blueprint 'forks' (being built)."""

from flask import Blueprint

bp = Blueprint("forks", __name__, template_folder="templates")
