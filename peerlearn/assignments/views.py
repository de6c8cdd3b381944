"""Placeholder blueprint 'assignments' (being built)."""

from flask import Blueprint

bp = Blueprint("assignments", __name__, template_folder="templates")
