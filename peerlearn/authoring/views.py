"""Placeholder blueprint 'authoring' (being built)."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, template_folder="templates")
