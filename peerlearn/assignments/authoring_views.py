"""Placeholder blueprint 'assignment_authoring' (being built)."""

from flask import Blueprint

bp = Blueprint("assignment_authoring", __name__, template_folder="templates")
